package okta

import (
	"context"
	"regexp"
	"strings"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

var groupAttr = connector.Attribute{Name: "group", Type: cty.String, Required: true,
	Doc: "The group's id (00g…) or its exact name."}

// oktaID matches Okta's 20-character object ids (00u…, 00g…, 0oa…).
var oktaID = regexp.MustCompile(`^[0-9A-Za-z]{20}$`)

// maxLookupPages bounds name lookups that page through search results.
const maxLookupPages = 5

func listUserGroupsAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   "list_user_groups",
		Doc:    "Lists the groups a user belongs to.",
		Effect: connector.Read,
		Input:  connector.Schema{userAttr},
		Output: listUserGroupsOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		u, err := c.resolveUser(ctx, call.Input.String("user"))
		if err != nil {
			return nil, err
		}
		groups, resp, err := c.sdk.User.ListUserGroups(ctx, pathSegment(u.Id))
		if err != nil {
			return nil, classify(resp, err)
		}
		out := make([]any, len(groups))
		for i, g := range groups {
			out[i] = groupMap(g)
		}
		return map[string]any{"user_id": u.Id, "groups": out, "count": len(out)}, nil
	})
}

func addUserToGroupAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:        "add_user_to_group",
		CheckRemote: checkGroupAndApp,
		Doc:         "Adds a user to an Okta group (OKTA_GROUP only). Adding a member again succeeds with changed = false.",
		Effect:      connector.Write,
		Input:       connector.Schema{userAttr, groupAttr},
		Output:      membershipOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		return c.setMembership(ctx, call.Input, true)
	})
}

func removeUserFromGroupAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:        "remove_user_from_group",
		CheckRemote: checkGroupAndApp,
		Doc:         "Removes a user from an Okta group. Removing a non-member succeeds with changed = false.",
		Effect:      connector.Write,
		Input:       connector.Schema{userAttr, groupAttr},
		Output:      membershipOutput,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		return c.setMembership(ctx, call.Input, false)
	})
}

// setMembership makes the user a member of the group (member = true) or
// not, reading the user's groups first so that it can say whether it
// changed anything.
func (c *Client) setMembership(ctx context.Context, in connector.Args, member bool) (any, error) {
	u, err := c.resolveUser(ctx, in.String("user"))
	if err != nil {
		return nil, err
	}
	g, err := c.resolveGroup(ctx, in.String("group"))
	if err != nil {
		return nil, err
	}
	groups, resp, err := c.sdk.User.ListUserGroups(ctx, pathSegment(u.Id))
	if err != nil {
		return nil, classify(resp, err)
	}
	isMember := false
	for _, ug := range groups {
		isMember = isMember || ug.Id == g.Id
	}
	changed := isMember != member
	if changed {
		if member {
			resp, err = c.sdk.Group.AddUserToGroup(ctx, pathSegment(g.Id), pathSegment(u.Id))
		} else {
			resp, err = c.sdk.Group.RemoveUserFromGroup(ctx, pathSegment(g.Id), pathSegment(u.Id))
		}
		if err != nil {
			return nil, classify(resp, err)
		}
	}
	return map[string]any{"user_id": u.Id, "group_id": g.Id, "group_name": groupName(g), "changed": changed}, nil
}

// resolveGroup finds a group by id or exact name. Names are looked up with
// search=profile.name eq "…" and matched exactly on the client, since q is
// only a startsWith match (reference §3.3).
func (c *Client) resolveGroup(ctx context.Context, idOrName string) (*okta.Group, error) {
	if strings.TrimSpace(idOrName) == "" {
		return nil, invalidf("group is empty: give the group's id or exact name")
	}
	if oktaID.MatchString(idOrName) {
		if g, err := c.groupByID(ctx, idOrName); err == nil || connector.KindOf(err) != connector.NotFound {
			return g, err
		}
	}
	g, err := c.groupByName(ctx, idOrName)
	if connector.KindOf(err) == connector.NotFound && pathSafe(idOrName) && !oktaID.MatchString(idOrName) {
		// Ids of other shapes (emulators, older orgs): try the path too.
		if byID, err2 := c.groupByID(ctx, idOrName); err2 == nil {
			return byID, nil
		}
	}
	return g, err
}

func (c *Client) groupByID(ctx context.Context, id string) (*okta.Group, error) {
	g, resp, err := c.sdk.Group.GetGroup(ctx, pathSegment(id))
	if err != nil {
		return nil, classify(resp, err)
	}
	return g, nil
}

func (c *Client) groupByName(ctx context.Context, name string) (*okta.Group, error) {
	qp := query.NewQueryParams(query.WithSearch("profile.name eq "+scimString(name)), query.WithLimit(pageSize))
	groups, resp, err := c.sdk.Group.ListGroups(ctx, qp)
	if err != nil {
		return nil, classify(resp, err)
	}
	var matches []*okta.Group
	for page, next := 1, nextOf(resp); ; page++ {
		for _, g := range groups {
			if groupName(g) == name {
				matches = append(matches, g)
			}
		}
		if page >= maxLookupPages || next == "" || len(groups) == 0 {
			break
		}
		groups = nil
		after, err := c.getPage(ctx, next, &groups)
		if err != nil {
			return nil, err
		}
		if after == next {
			after = ""
		}
		next = after
	}
	switch len(matches) {
	case 0:
		return nil, notFoundf("no group named %q (names are matched exactly, case included)", name)
	case 1:
		return matches[0], nil
	}
	return nil, invalidf("%d groups are named %q: use the group's id", len(matches), name)
}

func groupName(g *okta.Group) string {
	if g.Profile == nil {
		return ""
	}
	return g.Profile.Name
}

func groupMap(g *okta.Group) map[string]any {
	m := map[string]any{"id": str(g.Id), "type": str(g.Type), "name": str(groupName(g))}
	if g.Profile != nil {
		m["description"] = str(g.Profile.Description)
	}
	return m
}
