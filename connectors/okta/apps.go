package okta

import (
	"context"
	"strings"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

var appAttr = connector.Attribute{Name: "app", Type: cty.String, Required: true,
	Doc: "The app instance's id (0oa…) or its exact label."}

func assignUserToAppAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:        "assign_user_to_app",
		CheckRemote: checkGroupAndApp,
		Doc:         "Assigns a user to an app (scope USER). An existing assignment succeeds with changed = false.",
		Effect:      connector.Write,
		Input:       connector.Schema{userAttr, appAttr},
		Output:      appAssignmentOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		u, app, err := c.resolveUserAndApp(ctx, call.Input)
		if err != nil {
			return nil, err
		}
		out := map[string]any{"user_id": u.Id, "app_id": app.Id, "app_label": app.Label, "changed": false}
		existing, resp, err := c.sdk.Application.GetApplicationUser(ctx, pathSegment(app.Id), pathSegment(u.Id), nil)
		if err == nil {
			out["status"] = str(existing.Status)
			return out, nil
		}
		if ce := classify(resp, err); ce.Kind != connector.NotFound {
			return nil, ce
		}
		au, resp, err := c.sdk.Application.AssignUserToApplication(ctx, pathSegment(app.Id),
			okta.AppUser{Id: u.Id, Scope: "USER"})
		if err != nil {
			return nil, classify(resp, err)
		}
		out["changed"], out["status"] = true, str(au.Status)
		return out, nil
	})
}

func removeUserFromAppAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:        "remove_user_from_app",
		CheckRemote: checkGroupAndApp,
		Doc:         "Removes a user's direct assignment to an app. A user not assigned succeeds with changed = false.",
		Effect:      connector.Write,
		Input:       connector.Schema{userAttr, appAttr},
		Output:      appAssignmentOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		u, app, err := c.resolveUserAndApp(ctx, call.Input)
		if err != nil {
			return nil, err
		}
		out := map[string]any{"user_id": u.Id, "app_id": app.Id, "app_label": app.Label, "changed": true}
		resp, err := c.sdk.Application.DeleteApplicationUser(ctx, pathSegment(app.Id), pathSegment(u.Id), nil)
		if err != nil {
			// The app and the user exist (resolved above): a 404
			// means there was no assignment to remove.
			if ce := classify(resp, err); ce.Kind != connector.NotFound {
				return nil, ce
			}
			out["changed"] = false
		}
		return out, nil
	})
}

func (c *Client) resolveUserAndApp(ctx context.Context, in connector.Args) (*okta.User, *okta.Application, error) {
	u, err := c.resolveUser(ctx, in.String("user"))
	if err != nil {
		return nil, nil, err
	}
	app, err := c.resolveApp(ctx, in.String("app"))
	if err != nil {
		return nil, nil, err
	}
	return u, app, nil
}

// resolveApp finds an app by id or exact label. Labels are looked up with
// q (a startsWith match on name or label) and matched exactly here.
func (c *Client) resolveApp(ctx context.Context, idOrLabel string) (*okta.Application, error) {
	if strings.TrimSpace(idOrLabel) == "" {
		return nil, invalidf("app is empty: give the app's id or exact label")
	}
	if oktaID.MatchString(idOrLabel) {
		if app, err := c.appByID(ctx, idOrLabel); err == nil || connector.KindOf(err) != connector.NotFound {
			return app, err
		}
	}
	app, err := c.appByLabel(ctx, idOrLabel)
	if connector.KindOf(err) == connector.NotFound && pathSafe(idOrLabel) && !oktaID.MatchString(idOrLabel) {
		if byID, err2 := c.appByID(ctx, idOrLabel); err2 == nil {
			return byID, nil
		}
	}
	return app, err
}

func (c *Client) appByID(ctx context.Context, id string) (*okta.Application, error) {
	app, resp, err := c.sdk.Application.GetApplication(ctx, pathSegment(id), okta.NewApplication(), nil)
	if err != nil {
		return nil, classify(resp, err)
	}
	a, ok := app.(*okta.Application)
	if !ok {
		return nil, invalidf("unexpected app type %T", app)
	}
	return a, nil
}

func (c *Client) appByLabel(ctx context.Context, label string) (*okta.Application, error) {
	qp := query.NewQueryParams(query.WithQ(label), query.WithLimit(pageSize))
	apps, resp, err := c.sdk.Application.ListApplications(ctx, qp)
	if err != nil {
		return nil, classify(resp, err)
	}
	var matches []*okta.Application
	for page, next := 1, nextOf(resp); ; page++ {
		for _, a := range apps {
			if app, ok := a.(*okta.Application); ok && app.Label == label {
				matches = append(matches, app)
			}
		}
		if page >= maxLookupPages || next == "" || len(apps) == 0 {
			break
		}
		var more []okta.Application
		after, err := c.getPage(ctx, next, &more)
		if err != nil {
			return nil, err
		}
		apps = apps[:0]
		for i := range more {
			apps = append(apps, &more[i])
		}
		if after == next {
			after = ""
		}
		next = after
	}
	switch len(matches) {
	case 0:
		return nil, notFoundf("no app labelled %q (labels are matched exactly, case included)", label)
	case 1:
		return matches[0], nil
	}
	return nil, invalidf("%d apps are labelled %q: use the app's id", len(matches), label)
}
