package okta

import (
	"context"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

var profileInput = connector.Attribute{Name: "profile", Type: cty.DynamicPseudoType, Required: true,
	Doc: "An object of profile attributes, e.g. { login = \"a@example.com\", email = \"a@example.com\", firstName = \"A\", lastName = \"B\" }."}

func createUserAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "create_user",
		Doc: "Creates a user with profile (login, email, firstName and lastName at least), activated or STAGED, with or without " +
			"a password, in the groups given. A user with that login that exists already is returned with changed = false " +
			"(nothing else is changed), so a retried card creates one user.",
		Effect: connector.Write,
		Input: connector.Schema{profileInput,
			{Name: "activate", Type: cty.Bool, Default: cty.True,
				Doc: "Activate the user at once (ACTIVE with a password; without one Okta sends the activation email). false leaves the user STAGED."},
			{Name: "password", Type: cty.String, Sensitive: true,
				Doc: "An initial password. Without one the user sets it through the activation email."},
			{Name: "groups", Type: cty.List(cty.String), Doc: "Ids (00g…) or exact names of OKTA_GROUPs to put the user in."},
		},
		Output: userChangeOutput,
	}, createUser)
}

func createUser(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	attrs, err := profileArg(call.Input)
	if err != nil {
		return nil, err
	}
	login, _ := attrs["login"].(string)
	if login == "" {
		return nil, invalidf("profile.login is required, e.g. profile = { login = \"a@example.com\", … }")
	}
	if existing, err := c.resolveUser(ctx, login); err == nil {
		return withChanged(userMap(existing), false), nil
	} else if connector.KindOf(err) != connector.NotFound {
		return nil, err
	}
	var groupIDs []string
	for _, ref := range call.Input.Strings("groups") {
		g, err := c.resolveGroup(ctx, ref)
		if err != nil {
			return nil, err
		}
		groupIDs = append(groupIDs, g.Id)
	}
	profile := okta.UserProfile(attrs)
	body := okta.CreateUserRequest{Profile: &profile, GroupIds: groupIDs}
	if pw := call.Input.String("password"); pw != "" {
		body.Credentials = &okta.UserCredentials{Password: &okta.PasswordCredential{Value: pw}}
	}
	u, resp, err := c.sdk.User.CreateUser(ctx, body, query.NewQueryParams(query.WithActivate(call.Input.Bool("activate", true))))
	if err != nil {
		return nil, classify(resp, err)
	}
	return withChanged(userMap(u), true), nil
}

// profileArg reads `profile` as a non-empty object.
func profileArg(in connector.Args) (map[string]any, error) {
	g, err := connector.ToGo(in.Get("profile"))
	if err != nil {
		return nil, invalidf("profile: %v", err)
	}
	attrs, ok := g.(map[string]any)
	if !ok || len(attrs) == 0 {
		return nil, invalidf("profile must be an object of attributes, e.g. { title = \"Engineer\" }")
	}
	return attrs, nil
}

func updateUserAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "update_user",
		Doc: "Updates the given profile attributes of a user (a partial update, POST: other attributes keep their " +
			"values; a null clears one) and returns the updated user. Same as update_user_profile.",
		Effect: connector.Write,
		Input:  connector.Schema{userAttr, profileInput},
		Output: userType,
	}, updateUserProfile)
}

func replaceUserAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "replace_user",
		Doc: "Replaces a user's whole profile (PUT): attributes not in profile are cleared, so profile must carry " +
			"login, email, firstName and lastName. Returns the updated user.",
		Effect: connector.Write,
		Input:  connector.Schema{userAttr, profileInput},
		Output: userType,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		attrs, err := profileArg(call.Input)
		if err != nil {
			return nil, err
		}
		u, err := c.resolveUser(ctx, call.Input.String("user"))
		if err != nil {
			return nil, err
		}
		profile := okta.UserProfile(attrs)
		updated, resp, err := c.sdk.User.UpdateUser(ctx, pathSegment(u.Id), okta.User{Profile: &profile}, nil)
		if err != nil {
			return nil, classify(resp, err)
		}
		return userMap(updated), nil
	})
}

func deleteUserAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "delete_user",
		Doc: "Deletes a user for good: deactivates the user first when needed (Okta deletes only DEPROVISIONED users), " +
			"then deletes. A user that does not exist is a successful no-op (changed = false).",
		Effect: connector.Write,
		Input: connector.Schema{userAttr,
			sendEmailAttr("Whether Okta emails the admins about the deactivation."),
		},
		Output: deleteOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		u, err := c.resolveUser(ctx, call.Input.String("user"))
		if connector.KindOf(err) == connector.NotFound {
			return map[string]any{"id": nil, "changed": false}, nil
		}
		if err != nil {
			return nil, err
		}
		qp := query.NewQueryParams(query.WithSendEmail(call.Input.Bool("send_email", false)))
		if u.Status != statusDeprovision {
			if resp, err := c.sdk.User.DeactivateUser(ctx, pathSegment(u.Id), qp); err != nil {
				return nil, classify(resp, err)
			}
		}
		if resp, err := c.sdk.User.DeactivateOrDeleteUser(ctx, pathSegment(u.Id), qp); err != nil {
			ce := classify(resp, err)
			if ce.Kind != connector.NotFound {
				return nil, ce
			}
		}
		return map[string]any{"id": u.Id, "changed": true}, nil
	})
}
