package okta

import (
	"context"
	"slices"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// User statuses (reference §3.2).
const (
	statusActive      = "ACTIVE"
	statusProvisioned = "PROVISIONED"
	statusSuspended   = "SUSPENDED"
	statusDeprovision = "DEPROVISIONED"
)

// transition is one lifecycle operation. done reports whether a user in
// a status needs nothing (the no-op case); run performs the change.
type transition struct {
	name, doc string
	input     connector.Schema
	done      func(status string) bool
	run       func(ctx context.Context, c *Client, id string, in connector.Args) (*okta.UserActivationToken, *okta.Response, error)
	// already are Okta's error codes that may mean "already done" when the
	// user changed between our read and our call; the user is read again
	// and done decides.
	already []string
}

func sendEmailAttr(doc string) connector.Attribute {
	return connector.Attribute{Name: "send_email", Type: cty.Bool, Default: cty.False, Doc: doc}
}

func activateUserAction() *connector.Action {
	return lifecycleAction(transition{
		name: "activate_user",
		doc: "Activates a STAGED or DEPROVISIONED user. A user with a password becomes ACTIVE; one without " +
			"(a new hire) becomes PROVISIONED and is ACTIVE only once they finish the welcome flow of the " +
			"activation email, so check status. A PROVISIONED (activation pending) or ACTIVE user is a " +
			"successful no-op (changed = false). With send_email = false the output carries the activation link.",
		input: connector.Schema{userAttr, sendEmailAttr("Whether Okta emails the user an activation link.")},
		// PROVISIONED is activated: Okta refuses to activate it again
		// (E0000038), and only the user can take it further.
		done: func(s string) bool { return s == statusActive || s == statusProvisioned },
		run: func(ctx context.Context, c *Client, id string, in connector.Args) (*okta.UserActivationToken, *okta.Response, error) {
			qp := query.NewQueryParams(query.WithSendEmail(in.Bool("send_email", false)))
			return c.sdk.User.ActivateUser(ctx, id, qp)
		},
		already: []string{codeAlreadyActive, codeWrongStatus},
	})
}

func deactivateUserAction() *connector.Action {
	return lifecycleAction(transition{
		name: "deactivate_user",
		doc: "Deactivates a user (status DEPROVISIONED). A deactivated user is a successful no-op " +
			"(changed = false). Deactivation is not deletion.",
		input: connector.Schema{userAttr, sendEmailAttr("Whether Okta emails the admins about the deactivation.")},
		done:  func(s string) bool { return s == statusDeprovision },
		run: func(ctx context.Context, c *Client, id string, in connector.Args) (*okta.UserActivationToken, *okta.Response, error) {
			qp := query.NewQueryParams(query.WithSendEmail(in.Bool("send_email", false)))
			resp, err := c.sdk.User.DeactivateUser(ctx, id, qp)
			return nil, resp, err
		},
	})
}

func suspendUserAction() *connector.Action {
	return lifecycleAction(transition{
		name: "suspend_user",
		doc: "Suspends an ACTIVE user. A suspended user is a successful no-op (changed = false); " +
			"Okta refuses other statuses.",
		input: connector.Schema{userAttr},
		done:  func(s string) bool { return s == statusSuspended },
		run: func(ctx context.Context, c *Client, id string, _ connector.Args) (*okta.UserActivationToken, *okta.Response, error) {
			resp, err := c.sdk.User.SuspendUser(ctx, id)
			return nil, resp, err
		},
	})
}

func unsuspendUserAction() *connector.Action {
	return lifecycleAction(transition{
		name: "unsuspend_user",
		doc: "Returns a SUSPENDED user to ACTIVE. A user that is not suspended is a successful no-op " +
			"(changed = false, status says where the user is).",
		input: connector.Schema{userAttr},
		done:  func(s string) bool { return s != statusSuspended },
		run: func(ctx context.Context, c *Client, id string, _ connector.Args) (*okta.UserActivationToken, *okta.Response, error) {
			resp, err := c.sdk.User.UnsuspendUser(ctx, id)
			return nil, resp, err
		},
	})
}

func lifecycleAction(t transition) *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   t.name,
		Doc:    t.doc,
		Effect: connector.Write,
		Input:  t.input,
		Output: lifecycleOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		return c.transition(ctx, t, call.Input)
	})
}

// transition reads the user, skips the call when the user already is where
// the transition leads, and otherwise runs it and reads the user again.
func (c *Client) transition(ctx context.Context, t transition, in connector.Args) (any, error) {
	u, err := c.resolveUser(ctx, in.String("user"))
	if err != nil {
		return nil, err
	}
	out := map[string]any{
		"user_id": u.Id, "login": loginOf(u), "previous_status": str(u.Status),
		"status": str(u.Status), "changed": false,
	}
	if t.done(u.Status) {
		return out, nil
	}
	token, resp, err := t.run(ctx, c, pathSegment(u.Id), in)
	var refused *connector.Error
	if err != nil {
		refused = classify(resp, err)
		if !slices.Contains(t.already, refused.Code) {
			return nil, refused
		}
	} else {
		out["changed"] = true
	}
	if token != nil {
		out["activation_url"], out["activation_token"] = str(token.ActivationUrl), str(token.ActivationToken)
	}
	after, resp, err := c.sdk.User.GetUser(ctx, pathSegment(u.Id))
	if err != nil {
		return nil, classify(resp, err)
	}
	if refused != nil && !t.done(after.Status) {
		return nil, refused
	}
	// Refused but done: someone else got there between our read and our call.
	out["status"] = str(after.Status)
	return out, nil
}

func loginOf(u *okta.User) any {
	if u.Profile == nil {
		return nil
	}
	return (*u.Profile)["login"]
}
