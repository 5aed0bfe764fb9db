package okta

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/agext/levenshtein"
	"github.com/zclconf/go-cty/cty"
)

// eventTypePattern is the shape of Okta event types: dotted lower-case words.
var eventTypePattern = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)

// knownEventTypes are event-hook-eligible types of the Okta event catalog
// (reference §1.5 and the common lifecycle, membership and admin events).
// The catalog has hundreds more, so a type missing here is accepted unless
// it is a near miss of a known one: then it is most likely a typo.
var knownEventTypes = []string{
	"user.lifecycle.create", "user.lifecycle.activate", "user.lifecycle.deactivate",
	"user.lifecycle.reactivate", "user.lifecycle.suspend", "user.lifecycle.unsuspend",
	"user.lifecycle.delete.initiated", "user.lifecycle.delete.completed",
	"user.account.update_profile", "user.account.lock", "user.account.unlock",
	"user.account.update_password", "user.account.reset_password",
	"user.account.privilege.grant", "user.account.privilege.revoke",
	"user.session.start", "user.session.end", "user.session.clear",
	"user.authentication.sso", "user.mfa.factor.activate", "user.mfa.factor.deactivate",
	"user.mfa.factor.reset_all", "user.mfa.factor.suspend", "user.mfa.factor.unsuspend",
	"group.user_membership.add", "group.user_membership.remove",
	"group.lifecycle.create", "group.lifecycle.delete", "group.profile.update",
	"group.privilege.grant", "group.privilege.revoke",
	"group.application_assignment.add", "group.application_assignment.remove",
	"application.user_membership.add", "application.user_membership.remove",
	"application.user_membership.change_username",
	"application.lifecycle.create", "application.lifecycle.activate",
	"application.lifecycle.deactivate", "application.lifecycle.delete", "application.lifecycle.update",
	"policy.lifecycle.create", "policy.lifecycle.update", "policy.lifecycle.delete",
	"policy.lifecycle.activate", "policy.lifecycle.deactivate",
	"system.org.rate_limit.warning", "system.org.rate_limit.violation",
	"system.api_token.create", "system.api_token.revoke",
}

// notHookEligible are known types that Okta never delivers to event hooks.
var notHookEligible = []string{"event_hook.delivery"}

// checkEventTypes returns the Check of an event_types list. forHooks also
// refuses the types event hooks cannot subscribe to.
func checkEventTypes(forHooks bool) func(cty.Value) error {
	return func(v cty.Value) error {
		v, ok := checkable(v)
		if !ok || !v.CanIterateElements() {
			return nil
		}
		if v.LengthInt() == 0 {
			return fmt.Errorf("event_types must list at least one event type, e.g. [\"user.lifecycle.create\"]")
		}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e, ok = checkable(e); !ok || e.Type() != cty.String {
				continue
			}
			if err := checkEventType(e.AsString(), forHooks); err != nil {
				return err
			}
		}
		return nil
	}
}

func checkEventType(t string, forHooks bool) error {
	if !eventTypePattern.MatchString(t) {
		return fmt.Errorf("%q is not an Okta event type: those are dotted lower-case words such as \"user.lifecycle.create\"", t)
	}
	if forHooks && slices.Contains(notHookEligible, t) {
		return fmt.Errorf("%q is not eligible for event hooks; poll it with the okta.system_log trigger", t)
	}
	if slices.Contains(knownEventTypes, t) || slices.Contains(notHookEligible, t) {
		return nil
	}
	best, dist := nearest(t, knownEventTypes)
	if dist <= max(2, len(t)/8) {
		return fmt.Errorf("unknown event type %q; did you mean %q?", t, best)
	}
	return nil
}

// nearest returns the candidate closest to s in edit distance.
func nearest(s string, candidates []string) (string, int) {
	best, bestDist := "", -1
	for _, c := range candidates {
		if d := levenshtein.Distance(s, c, nil); bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best, bestDist
}
