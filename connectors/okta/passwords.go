package okta

import (
	"context"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

const statusLockedOut = "LOCKED_OUT"

func resetPasswordAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "reset_password",
		Doc: "Starts a password reset (the user's status becomes RECOVERY). With send_email = false the output " +
			"carries the one-time reset link to hand to the user; with true Okta emails it.",
		Effect: connector.Write,
		Input:  connector.Schema{userAttr, sendEmailAttr("Whether Okta emails the user the reset link.")},
		Output: resetPasswordOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		u, err := c.resolveUser(ctx, call.Input.String("user"))
		if err != nil {
			return nil, err
		}
		tok, resp, err := c.sdk.User.ResetPassword(ctx, pathSegment(u.Id), query.NewQueryParams(query.WithSendEmail(call.Input.Bool("send_email", false))))
		if err != nil {
			return nil, classify(resp, err)
		}
		out := map[string]any{"user_id": u.Id, "login": loginOf(u), "status": nil, "reset_password_url": nil}
		if tok != nil {
			out["reset_password_url"] = str(tok.ResetPasswordUrl)
		}
		after, resp, err := c.sdk.User.GetUser(ctx, pathSegment(u.Id))
		if err != nil {
			return nil, classify(resp, err)
		}
		out["status"] = str(after.Status)
		return out, nil
	})
}

func expirePasswordAction() *connector.Action {
	return lifecycleAction(transition{
		name: "expire_password",
		doc: "Expires a user's password: the user must change it at the next sign-in (status PASSWORD_EXPIRED). " +
			"A user whose password is expired already is a successful no-op (changed = false).",
		input: connector.Schema{userAttr},
		done:  func(s string) bool { return s == "PASSWORD_EXPIRED" },
		run: func(ctx context.Context, c *Client, id string, _ connector.Args) (*okta.UserActivationToken, *okta.Response, error) {
			_, resp, err := c.sdk.User.ExpirePassword(ctx, id)
			return nil, resp, err
		},
	})
}

func unlockUserAction() *connector.Action {
	return lifecycleAction(transition{
		name: "unlock_user",
		doc: "Unlocks a LOCKED_OUT user (status ACTIVE). A user that is not locked out is a successful no-op " +
			"(changed = false, status says where the user is).",
		input: connector.Schema{userAttr},
		done:  func(s string) bool { return s != statusLockedOut },
		run: func(ctx context.Context, c *Client, id string, _ connector.Args) (*okta.UserActivationToken, *okta.Response, error) {
			resp, err := c.sdk.User.UnlockUser(ctx, id)
			return nil, resp, err
		},
	})
}

func clearUserSessionsAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "clear_user_sessions",
		Doc: "Ends all of a user's Okta sessions, so the user must sign in again everywhere; with oauth_tokens also " +
			"revokes the OAuth tokens issued to the user. Clearing again does no harm.",
		Effect: connector.Write,
		Input: connector.Schema{userAttr, {Name: "oauth_tokens", Type: cty.Bool, Default: cty.False,
			Doc: "Also revoke the user's OAuth access and refresh tokens."}},
		Output: userOpOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		u, err := c.resolveUser(ctx, call.Input.String("user"))
		if err != nil {
			return nil, err
		}
		var qp *query.Params
		if call.Input.Bool("oauth_tokens", false) {
			qp = &query.Params{OauthTokens: boolPtr(true)}
		}
		if resp, err := c.sdk.User.ClearUserSessions(ctx, pathSegment(u.Id), qp); err != nil {
			return nil, classify(resp, err)
		}
		return map[string]any{"user_id": u.Id, "login": loginOf(u)}, nil
	})
}

func resetFactorsAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   "reset_factors",
		Doc:    "Resets all of a user's enrolled MFA factors, so the user enrolls again at the next sign-in. Resetting again does no harm.",
		Effect: connector.Write,
		Input:  connector.Schema{userAttr},
		Output: userOpOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		u, err := c.resolveUser(ctx, call.Input.String("user"))
		if err != nil {
			return nil, err
		}
		if resp, err := c.sdk.User.ResetFactors(ctx, pathSegment(u.Id)); err != nil {
			return nil, classify(resp, err)
		}
		return map[string]any{"user_id": u.Id, "login": loginOf(u)}, nil
	})
}

func boolPtr(b bool) *bool { return &b }
