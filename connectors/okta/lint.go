package okta

import (
	"fmt"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/didyoumean"
)

// userStatuses are the statuses the API gives a user (reference §3.1).
var userStatuses = []string{"STAGED", "PROVISIONED", "ACTIVE", "RECOVERY", "LOCKED_OUT", "PASSWORD_EXPIRED", "SUSPENDED", "DEPROVISIONED"}

// consoleStatuses are the names the admin console shows for statuses the
// API spells otherwise, which flows written from the console pick up.
var consoleStatuses = map[string]string{
	"DEACTIVATED":         "DEPROVISIONED",
	"INACTIVE":            "DEPROVISIONED",
	"PENDING USER ACTION": "PROVISIONED",
	"PASSWORD RESET":      "RECOVERY",
	"PASSWORD EXPIRED":    "PASSWORD_EXPIRED",
	"LOCKED OUT":          "LOCKED_OUT",
	"LOCKED":              "LOCKED_OUT",
}

// withStatusLint gives each action whose output holds a user's status
// (read_user's status, search_users' users[i].status, a lifecycle
// action's status and previous_status) a LintCompare that warns of a
// comparison with a string that is no user status: it is never true.
func withStatusLint(actions []*connector.Action) []*connector.Action {
	for _, a := range actions {
		if a.LintCompare == nil {
			out := a.Output
			a.LintCompare = func(_ cty.Value, path []string, literal string) (connector.Finding, bool) {
				return lintUserStatus(out, path, literal)
			}
		}
	}
	return actions
}

// lintUserStatus judges a comparison of the output of type out at path
// with literal.
func lintUserStatus(out cty.Type, path []string, literal string) (connector.Finding, bool) {
	if !isUserStatus(out, path) || slices.Contains(userStatuses, literal) {
		return connector.Finding{}, false
	}
	want, ok := consoleStatuses[strings.ToUpper(literal)]
	if !ok {
		want = didyoumean.Name(strings.ToUpper(literal), userStatuses)
	}
	hint := ""
	if want != "" {
		hint = fmt.Sprintf(" Did you mean %q?", want)
	}
	return connector.Finding{
		Summary: "Not an Okta user status",
		Detail: fmt.Sprintf("%q is not a status the Okta API gives a user (%s), so this comparison is never true.%s "+
			"The admin console's names differ: Deactivated is DEPROVISIONED, Pending user action is PROVISIONED.",
			literal, strings.Join(userStatuses, ", "), hint),
	}, true
}

// isUserStatus reports whether path leads, in a value of type ty, to the
// status (or previous_status) of a user: an object with a status and a
// profile, or a lifecycle action's output.
func isUserStatus(ty cty.Type, path []string) bool {
	for i, step := range path {
		switch {
		case ty.IsObjectType() && ty.HasAttribute(step):
			if i == len(path)-1 {
				attrs := ty.AttributeTypes()
				_, profile := attrs["profile"]
				_, previous := attrs["previous_status"]
				return attrs[step] == cty.String && (step == "status" && (profile || previous) || step == "previous_status")
			}
			ty = ty.AttributeType(step)
		case ty.IsListType() || ty.IsMapType():
			ty = ty.ElementType()
		default:
			return false
		}
	}
	return false
}

// lintEventTypeCompare is the Okta triggers' LintCompare: a filter or if
// that compares trigger.event.eventType with a type the block does not
// list is never true, as the trigger delivers only the types it lists.
func lintEventTypeCompare(cfg cty.Value, path []string, literal string) (connector.Finding, bool) {
	if len(path) != 2 || path[0] != "event" || path[1] != "eventType" {
		return connector.Finding{}, false
	}
	types := connector.Strings(cfg, "event_types")
	if len(types) == 0 || slices.Contains(types, literal) {
		return connector.Finding{}, false
	}
	return connector.Finding{
		Summary: "Event type the trigger does not deliver",
		Detail: fmt.Sprintf("The trigger delivers only the event types it lists (%s), so comparing event.eventType with %q is never true.%s "+
			"Add the type to event_types, or correct it.", strings.Join(types, ", "), literal, didyoumean.Hint(literal, types)),
	}, true
}
