package okta

import (
	"context"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

const (
	defaultGroupLimit  = 200
	groupPageMax       = 200
	defaultMemberLimit = 1000
	memberPageMax      = 1000
)

func readGroupAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   "read_group",
		Doc:    "Reads a group by id or exact name.",
		Effect: connector.Read,
		Input:  connector.Schema{groupAttr},
		Output: groupType,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		g, err := c.resolveGroup(ctx, call.Input.String("group"))
		if err != nil {
			return nil, err
		}
		return groupMap(g), nil
	})
}

func searchGroupsAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "search_groups",
		Doc: "Lists groups matching query (startsWith on the name; Okta does not page it and caps it at 300), " +
			"search (e.g. profile.name sw \"Sales\") or filter (e.g. type eq \"OKTA_GROUP\"), following pages up to limit.",
		Effect: connector.Read,
		Input: connector.Schema{
			{Name: "query", Type: cty.String, Doc: "Okta's q parameter: startsWith on the group's name."},
			{Name: "search", Type: cty.String, Doc: "A search expression on profile.name, profile.description, type, id, created, lastUpdated: eq and sw, co only on profile.name and profile.description."},
			{Name: "filter", Type: cty.String, Doc: "A filter on id, type, lastUpdated or lastMembershipUpdated."},
			limitAttr("groups", defaultGroupLimit),
		},
		Output: searchGroupsOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		limit, err := listLimit(call.Input, defaultGroupLimit)
		if err != nil {
			return nil, err
		}
		params := optParams(call.Input, map[string]string{"query": "q", "search": "search", "filter": "filter"})
		groups, err := listAll[*okta.Group](ctx, c, listPath("/api/v1/groups", params, limit, groupPageMax), limit)
		if err != nil {
			return nil, err
		}
		return map[string]any{"groups": groupList(groups), "count": len(groups)}, nil
	})
}

func groupList(groups []*okta.Group) []any {
	out := make([]any, len(groups))
	for i, g := range groups {
		out[i] = groupMap(g)
	}
	return out
}

var descriptionAttr = connector.Attribute{Name: "description", Type: cty.String, Doc: "The group's description."}

func createGroupAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "create_group",
		Doc: "Creates an Okta group. A group of that exact name that exists already is returned with changed = false, " +
			"so a retried card creates one group.",
		Effect: connector.Write,
		Input: connector.Schema{
			{Name: "name", Type: cty.String, Required: true, Doc: "The group's name."},
			descriptionAttr,
		},
		Output: groupChangeOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		name := call.Input.String("name")
		existing, err := c.groupByName(ctx, name)
		switch {
		case err == nil:
			return withChanged(groupMap(existing), false), nil
		case connector.KindOf(err) != connector.NotFound:
			return nil, err
		}
		g, resp, err := c.sdk.Group.CreateGroup(ctx, okta.Group{Profile: &okta.GroupProfile{Name: name, Description: call.Input.String("description")}})
		if err != nil {
			return nil, classify(resp, err)
		}
		return withChanged(groupMap(g), true), nil
	})
}

func updateGroupAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "update_group",
		Doc: "Changes an OKTA_GROUP's name and/or description; what is not given keeps its value. " +
			"Okta refuses to change BUILT_IN (Everyone) and APP_GROUP groups.",
		Effect: connector.Write,
		Input: connector.Schema{groupAttr,
			{Name: "name", Type: cty.String, Doc: "The new name."},
			descriptionAttr,
		},
		Output: groupChangeOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		g, err := c.resolveGroup(ctx, call.Input.String("group"))
		if err != nil {
			return nil, err
		}
		p := okta.GroupProfile{}
		if g.Profile != nil {
			p = *g.Profile
		}
		name, desc := p.Name, p.Description
		if !call.Input.Get("name").IsNull() {
			name = call.Input.String("name")
		}
		if !call.Input.Get("description").IsNull() {
			desc = call.Input.String("description")
		}
		if name == p.Name && desc == p.Description {
			return withChanged(groupMap(g), false), nil
		}
		p.Name, p.Description = name, desc
		updated, resp, err := c.sdk.Group.UpdateGroup(ctx, pathSegment(g.Id), okta.Group{Profile: &p})
		if err != nil {
			return nil, classify(resp, err)
		}
		return withChanged(groupMap(updated), true), nil
	})
}

func deleteGroupAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   "delete_group",
		Doc:    "Deletes an OKTA_GROUP. A group that does not exist is a successful no-op (changed = false).",
		Effect: connector.Write,
		Input:  connector.Schema{groupAttr},
		Output: deleteOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		g, err := c.resolveGroup(ctx, call.Input.String("group"))
		if connector.KindOf(err) == connector.NotFound {
			return map[string]any{"id": nil, "changed": false}, nil
		}
		if err != nil {
			return nil, err
		}
		resp, err := c.sdk.Group.DeleteGroup(ctx, pathSegment(g.Id))
		if err != nil {
			ce := classify(resp, err)
			if ce.Kind != connector.NotFound {
				return nil, ce
			}
			return map[string]any{"id": g.Id, "changed": false}, nil
		}
		return map[string]any{"id": g.Id, "changed": true}, nil
	})
}

func listGroupMembersAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   "list_group_members",
		Doc:    "Lists the users in a group, following pages up to limit.",
		Effect: connector.Read,
		Input:  connector.Schema{groupAttr, limitAttr("users", defaultMemberLimit)},
		Output: listMembersOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		limit, err := listLimit(call.Input, defaultMemberLimit)
		if err != nil {
			return nil, err
		}
		g, err := c.resolveGroup(ctx, call.Input.String("group"))
		if err != nil {
			return nil, err
		}
		users, err := listAll[*okta.User](ctx, c, listPath("/api/v1/groups/"+pathSegment(g.Id)+"/users", nil, limit, memberPageMax), limit)
		if err != nil {
			return nil, err
		}
		return map[string]any{"group_id": g.Id, "users": userList(users), "count": len(users)}, nil
	})
}

func userList(users []*okta.User) []any {
	out := make([]any, len(users))
	for i, u := range users {
		out[i] = userMap(u)
	}
	return out
}

// withChanged adds changed to an output object.
func withChanged(m map[string]any, changed bool) map[string]any {
	m["changed"] = changed
	return m
}
