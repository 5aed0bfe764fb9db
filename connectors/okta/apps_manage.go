package okta

import (
	"context"
	"net/url"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

const (
	defaultAppLimit     = 200
	appPageMax          = 200
	defaultAppUserLimit = 500
	appUserPageMax      = 500
	appGroupPageMax     = 200
)

// appFields are the attributes of an app the actions read, whatever its
// sign-on mode.
type appFields struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Label       string     `json:"label"`
	Status      string     `json:"status"`
	SignOnMode  string     `json:"signOnMode"`
	Created     *time.Time `json:"created"`
	LastUpdated *time.Time `json:"lastUpdated"`
}

func appMap(a appFields) map[string]any {
	return map[string]any{"id": str(a.ID), "name": str(a.Name), "label": str(a.Label), "status": str(a.Status),
		"sign_on_mode": str(a.SignOnMode), "created": timestamp(a.Created), "last_updated": timestamp(a.LastUpdated)}
}

func appList(apps []appFields) []any {
	out := make([]any, len(apps))
	for i, a := range apps {
		out[i] = appMap(a)
	}
	return out
}

func fieldsOf(a *okta.Application) appFields {
	return appFields{ID: a.Id, Name: a.Name, Label: a.Label, Status: a.Status, SignOnMode: a.SignOnMode,
		Created: a.Created, LastUpdated: a.LastUpdated}
}

func readAppAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   "read_app",
		Doc:    "Reads an app instance by id or exact label.",
		Effect: connector.Read,
		Input:  connector.Schema{appAttr},
		Output: appType,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		a, err := c.resolveApp(ctx, call.Input.String("app"))
		if err != nil {
			return nil, err
		}
		return appMap(fieldsOf(a)), nil
	})
}

func searchAppsAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "search_apps",
		Doc: "Lists apps matching query (startsWith on name or label) and/or filter (e.g. status eq \"ACTIVE\", " +
			"name eq \"slack\", user.id eq \"00u…\", group.id eq \"00g…\"), following pages up to limit.",
		Effect: connector.Read,
		Input: connector.Schema{
			{Name: "query", Type: cty.String, Doc: "Okta's q parameter: startsWith on the app's name or label."},
			{Name: "filter", Type: cty.String, Doc: "A filter on id, status, name, user.id or group.id."},
			limitAttr("apps", defaultAppLimit),
		},
		Output: searchAppsOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		limit, err := listLimit(call.Input, defaultAppLimit)
		if err != nil {
			return nil, err
		}
		apps, err := c.listApps(ctx, optParams(call.Input, map[string]string{"query": "q", "filter": "filter"}), limit)
		if err != nil {
			return nil, err
		}
		return map[string]any{"apps": appList(apps), "count": len(apps)}, nil
	})
}

func (c *Client) listApps(ctx context.Context, params url.Values, limit int) ([]appFields, error) {
	return listAll[appFields](ctx, c, listPath("/api/v1/apps", params, limit, appPageMax), limit)
}

func listUserAppsAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   "list_user_apps",
		Doc:    "Lists the apps a user is assigned to, directly or through a group (filter user.id eq).",
		Effect: connector.Read,
		Input:  connector.Schema{userAttr, limitAttr("apps", defaultAppLimit)},
		Output: listUserAppsOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		limit, err := listLimit(call.Input, defaultAppLimit)
		if err != nil {
			return nil, err
		}
		u, err := c.resolveUser(ctx, call.Input.String("user"))
		if err != nil {
			return nil, err
		}
		apps, err := c.listApps(ctx, url.Values{"filter": {"user.id eq " + scimString(u.Id)}}, limit)
		if err != nil {
			return nil, err
		}
		return map[string]any{"user_id": u.Id, "apps": appList(apps), "count": len(apps)}, nil
	})
}

func listAppUsersAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   "list_app_users",
		Doc:    "Lists the users assigned to an app, directly (scope USER) or through a group (scope GROUP), following pages up to limit.",
		Effect: connector.Read,
		Input:  connector.Schema{appAttr, limitAttr("assignments", defaultAppUserLimit)},
		Output: listAppUsersOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		limit, err := listLimit(call.Input, defaultAppUserLimit)
		if err != nil {
			return nil, err
		}
		a, err := c.resolveApp(ctx, call.Input.String("app"))
		if err != nil {
			return nil, err
		}
		aus, err := listAll[*okta.AppUser](ctx, c, listPath("/api/v1/apps/"+pathSegment(a.Id)+"/users", nil, limit, appUserPageMax), limit)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(aus))
		for i, au := range aus {
			var userName any
			if au.Credentials != nil {
				userName = str(au.Credentials.UserName)
			}
			out[i] = map[string]any{"id": str(au.Id), "scope": str(au.Scope), "status": str(au.Status),
				"user_name": userName, "created": timestamp(au.Created), "last_updated": timestamp(au.LastUpdated)}
		}
		return map[string]any{"app_id": a.Id, "users": out, "count": len(out)}, nil
	})
}

func listAppGroupsAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   "list_app_groups",
		Doc:    "Lists the groups assigned to an app, following pages up to limit.",
		Effect: connector.Read,
		Input:  connector.Schema{appAttr, limitAttr("groups", defaultAppLimit)},
		Output: listAppGroupsOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		limit, err := listLimit(call.Input, defaultAppLimit)
		if err != nil {
			return nil, err
		}
		a, err := c.resolveApp(ctx, call.Input.String("app"))
		if err != nil {
			return nil, err
		}
		ags, err := listAll[*okta.ApplicationGroupAssignment](ctx, c,
			listPath("/api/v1/apps/"+pathSegment(a.Id)+"/groups", nil, limit, appGroupPageMax), limit)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(ags))
		for i, ag := range ags {
			var prio any
			if ag.PriorityPtr != nil {
				prio = *ag.PriorityPtr
			}
			out[i] = map[string]any{"id": str(ag.Id), "priority": prio, "last_updated": timestamp(ag.LastUpdated)}
		}
		return map[string]any{"app_id": a.Id, "groups": out, "count": len(out)}, nil
	})
}

func assignGroupToAppAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:        "assign_group_to_app",
		CheckRemote: checkGroupAndApp,
		Doc:         "Assigns a group to an app, so that its members get the app. An existing assignment succeeds with changed = false.",
		Effect:      connector.Write,
		Input:       connector.Schema{appAttr, groupAttr},
		Output:      appGroupChangeOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		return c.setAppGroup(ctx, call.Input, true)
	})
}

func removeGroupFromAppAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:        "remove_group_from_app",
		CheckRemote: checkGroupAndApp,
		Doc:         "Removes a group's assignment to an app. A group not assigned succeeds with changed = false.",
		Effect:      connector.Write,
		Input:       connector.Schema{appAttr, groupAttr},
		Output:      appGroupChangeOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		return c.setAppGroup(ctx, call.Input, false)
	})
}

// setAppGroup assigns (assign = true) or unassigns a group, reading the
// assignment first so that a repeated card changes nothing.
func (c *Client) setAppGroup(ctx context.Context, in connector.Args, assign bool) (any, error) {
	a, err := c.resolveApp(ctx, in.String("app"))
	if err != nil {
		return nil, err
	}
	g, err := c.resolveGroup(ctx, in.String("group"))
	if err != nil {
		return nil, err
	}
	out := map[string]any{"app_id": a.Id, "app_label": a.Label, "group_id": g.Id, "group_name": groupName(g), "changed": false}
	_, resp, err := c.sdk.Application.GetApplicationGroupAssignment(ctx, pathSegment(a.Id), pathSegment(g.Id), nil)
	assigned := err == nil
	if err != nil {
		if ce := classify(resp, err); ce.Kind != connector.NotFound {
			return nil, ce
		}
	}
	if assigned == assign {
		return out, nil
	}
	if assign {
		_, resp, err = c.sdk.Application.CreateApplicationGroupAssignment(ctx, pathSegment(a.Id), pathSegment(g.Id), okta.ApplicationGroupAssignment{})
	} else {
		resp, err = c.sdk.Application.DeleteApplicationGroupAssignment(ctx, pathSegment(a.Id), pathSegment(g.Id))
	}
	if err != nil {
		return nil, classify(resp, err)
	}
	out["changed"] = true
	return out, nil
}
