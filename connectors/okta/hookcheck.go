package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
)

// Without manage_event_hook nobody keeps the hook in step with the flows,
// so cardflow run (at start and on each reload) and cardflow validate
// --check-env read it and say when it lacks an event type a flow needs.
// Both say the same thing, from checkHook; run says it once per missing
// set, validate once per invocation.

// checkHook compares the hook of an unmanaged connection with needed. It
// returns what to say (nil when nothing is missing or there is no hook to
// compare), the key run remembers it under, and the error of reading the
// hooks unless it is one of permission: a token may lack
// okta.eventHooks.read, which is said, not failed on.
func (c *Client) checkHook(ctx context.Context, connection string, needed []string) (*connector.HookNotice, string, error) {
	if len(needed) == 0 {
		return nil, "", nil
	}
	st, err := c.EventHookStatus(ctx, connection, needed)
	if err != nil {
		if connector.KindOf(err) != connector.Permission {
			return nil, "", err
		}
		why, fix := "the token was refused ("+err.Error()+")", "check the connection's token"
		var ce *connector.Error
		if errors.As(err, &ce) && ce.Status == http.StatusForbidden {
			why, fix = "the token may not read event hooks (HTTP 403: it lacks okta.eventHooks.read)",
				"give the token okta.eventHooks.read"
		}
		return &connector.HookNotice{Summary: "Event Hook Not Checked", Detail: fmt.Sprintf(
			"cardflow cannot tell whether the Okta event hook of connection.okta.%s delivers %s, which its flows listen for: %s. "+
				"Check the hook's event types in the Okta admin console, or %s.",
			connection, strings.Join(needed, ", "), why, fix)}, "unreadable", nil
	}
	if !st.Found || len(st.Missing) == 0 {
		return nil, "", nil
	}
	return &connector.HookNotice{Summary: "Event Hook Lacks Event Types", Detail: fmt.Sprintf(
		"The event hook %s (%s) does not deliver %s, which flows on connection.okta.%s listen for: they do not start. "+
			"Add the event types to the hook in Okta, or set manage_event_hook = true and public_url on the connection "+
			"to let cardflow run keep the hook in step with the flows.",
		st.Name, st.ID, strings.Join(st.Missing, ", "), connection)}, st.ID + "|" + strings.Join(st.Missing, ","), nil
}

// checkHookNotices is the Webhook.Check of the Okta connector. A managed
// hook is not checked: cardflow run brings it in step.
func checkHookNotices(ctx context.Context, cl connector.Client, req connector.HookSync) []connector.HookNotice {
	c, ok := cl.(*Client)
	if !ok || c == nil || c.manageHook {
		return nil
	}
	n, _, err := c.checkHook(ctx, req.Connection, NeededEventTypes(req.Triggers))
	if err != nil {
		return []connector.HookNotice{{Summary: "Event Hook Not Checked", Detail: fmt.Sprintf(
			"Reading the Okta event hooks of connection.okta.%s failed, so cardflow cannot tell whether the hook delivers "+
				"the event types its flows listen for: %v. Check that org_url is reachable from here.", req.Connection, err)}}
	}
	if n == nil {
		return nil
	}
	return []connector.HookNotice{*n}
}
