package okta

import (
	"context"
	"strings"
	"time"
	"unicode"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

const (
	defaultSearchLimit = 200
	maxSearchLimit     = 10000
	pageSize           = 200
)

func readUserAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name:   "read_user",
		Doc:    "Reads a user by id or login: status, timestamps and the standard profile attributes.",
		Effect: connector.Read,
		Input:  connector.Schema{userAttr},
		Output: userType,
	}, func(ctx context.Context, c *Client, call *connector.Call) (any, error) {
		u, err := c.resolveUser(ctx, call.Input.String("user"))
		if err != nil {
			return nil, err
		}
		return userMap(u), nil
	})
}

func searchUsersAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "search_users",
		Doc: "Lists users matching query (startsWith on first name, last name or email), filter " +
			"(e.g. status eq \"ACTIVE\") or search (a full search expression), following pages up to limit.",
		Effect: connector.Read,
		Input: connector.Schema{
			{Name: "query", Type: cty.String, Doc: "Okta's q parameter: startsWith on firstName, lastName or email."},
			{Name: "filter", Type: cty.String, Doc: "A filter expression: eq on status, id, profile.login, profile.email, profile.firstName or profile.lastName, " +
				"or a comparison of lastUpdated, with quoted values, e.g. profile.login eq \"a@example.com\". Okta refuses other attributes (E0000031): use search."},
			{Name: "search", Type: cty.String, Doc: "A search expression, e.g. profile.department eq \"Sales\"."},
			{Name: "limit", Type: cty.Number, Default: cty.NumberIntVal(defaultSearchLimit), Check: checkSearchLimit,
				Doc: "The most users to return (1–10000)."},
		},
		Output: searchUsersOutput,
	}, searchUsers)
}

func searchUsers(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	limit := call.Input.Int("limit", defaultSearchLimit)
	if limit < 1 || limit > maxSearchLimit {
		return nil, invalidf("limit must be between 1 and %d", maxSearchLimit)
	}
	opts := []query.ParamOptions{query.WithLimit(int64(min(limit, pageSize)))}
	if q := call.Input.String("query"); q != "" {
		opts = append(opts, query.WithQ(q))
	}
	if f := call.Input.String("filter"); f != "" {
		opts = append(opts, query.WithFilter(f))
	}
	if s := call.Input.String("search"); s != "" {
		opts = append(opts, query.WithSearch(s))
	}
	users, err := c.listUsers(ctx, query.NewQueryParams(opts...), limit)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(users))
	for i, u := range users {
		out[i] = userMap(u)
	}
	return map[string]any{"users": out, "count": len(out)}, nil
}

func checkSearchLimit(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	if n, _ := v.AsBigFloat().Int64(); n < 1 || n > maxSearchLimit {
		return invalidf("limit must be between 1 and %d", maxSearchLimit)
	}
	return nil
}

// listUsers follows rel="next" pages until it has limit users.
func (c *Client) listUsers(ctx context.Context, qp *query.Params, limit int) ([]*okta.User, error) {
	users, resp, err := c.sdk.User.ListUsers(ctx, qp)
	if err != nil {
		return nil, classify(resp, err)
	}
	for next := nextOf(resp); len(users) < limit && next != ""; {
		var page []*okta.User
		after, err := c.getPage(ctx, next, &page)
		if err != nil {
			return nil, err
		}
		users = append(users, page...)
		if len(page) == 0 || after == next {
			break
		}
		next = after
	}
	if len(users) > limit {
		users = users[:limit]
	}
	return users, nil
}

func updateUserProfileAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "update_user_profile",
		Doc: "Updates the given profile attributes of a user (a partial update: other attributes keep their " +
			"values; a null clears one) and returns the updated user.",
		Effect: connector.Write,
		Input: connector.Schema{userAttr,
			{Name: "profile", Type: cty.DynamicPseudoType, Required: true,
				Doc: "An object of profile attributes to set, e.g. { department = \"Sales\" }."},
		},
		Output: userType,
	}, updateUserProfile)
}

func updateUserProfile(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	g, err := connector.ToGo(call.Input.Get("profile"))
	if err != nil {
		return nil, invalidf("profile: %v", err)
	}
	attrs, ok := g.(map[string]any)
	if !ok || len(attrs) == 0 {
		return nil, invalidf("profile must be an object of attributes to change, e.g. { title = \"Engineer\" }")
	}
	u, err := c.resolveUser(ctx, call.Input.String("user"))
	if err != nil {
		return nil, err
	}
	profile := okta.UserProfile(attrs)
	updated, resp, err := c.sdk.User.PartialUpdateUser(ctx, pathSegment(u.Id), okta.User{Profile: &profile}, nil)
	if err != nil {
		return nil, classify(resp, err)
	}
	return userMap(updated), nil
}

// resolveUser fetches a user by id or login. Okta cannot fetch logins
// containing '/', '?' or '#' by path (reference §3.2), so those, and any
// other login unsafe in a path, are found with a profile.login filter.
func (c *Client) resolveUser(ctx context.Context, idOrLogin string) (*okta.User, error) {
	if strings.TrimSpace(idOrLogin) == "" {
		return nil, invalidf("user is empty: give the user's id or login")
	}
	if !pathSafe(idOrLogin) {
		qp := query.NewQueryParams(query.WithFilter("profile.login eq " + scimString(idOrLogin)))
		users, err := c.listUsers(ctx, qp, 2)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if u.Profile != nil && (*u.Profile)["login"] == idOrLogin {
				return u, nil
			}
		}
		return nil, notFoundf("no user with login %q", idOrLogin)
	}
	u, resp, err := c.getUser(ctx, pathSegment(idOrLogin))
	if err != nil {
		ce := classify(resp, err)
		if ce.Kind == connector.NotFound {
			ce.Message = "no user with id or login " + quote(idOrLogin) + ": " + ce.Message
		}
		return nil, ce
	}
	return u, nil
}

// userFields are the attributes of a user the actions read. Decoding only
// these skips what okta.User also decodes and no action looks at: _links
// and _embedded into maps, credentials and type into structs.
type userFields struct {
	Activated       *time.Time        `json:"activated,omitempty"`
	Created         *time.Time        `json:"created,omitempty"`
	ID              string            `json:"id,omitempty"`
	LastLogin       *time.Time        `json:"lastLogin,omitempty"`
	LastUpdated     *time.Time        `json:"lastUpdated,omitempty"`
	PasswordChanged *time.Time        `json:"passwordChanged,omitempty"`
	Profile         *okta.UserProfile `json:"profile,omitempty"`
	Status          string            `json:"status,omitempty"`
	StatusChanged   *time.Time        `json:"statusChanged,omitempty"`
}

// getUser is the SDK's User.GetUser, the same request through the same
// request executor (headers, authorization, retries, errors), decoding
// only userFields into the returned okta.User.
func (c *Client) getUser(ctx context.Context, userID string) (*okta.User, *okta.Response, error) {
	rq := c.sdk.CloneRequestExecutor()
	req, err := rq.WithAccept("application/json").WithContentType("application/json").NewRequest("GET", "/api/v1/users/"+userID, nil)
	if err != nil {
		return nil, nil, err
	}
	var f *userFields
	resp, err := rq.Do(ctx, req, &f)
	if err != nil {
		return nil, resp, err
	}
	if f == nil {
		return nil, resp, nil // a "null" body, as GetUser would return it
	}
	return &okta.User{Id: f.ID, Status: f.Status, Created: f.Created, Activated: f.Activated,
		StatusChanged: f.StatusChanged, LastLogin: f.LastLogin, LastUpdated: f.LastUpdated, PasswordChanged: f.PasswordChanged,
		Profile: f.Profile}, resp, nil
}

// pathSafe reports whether Okta resolves s as a path segment.
func pathSafe(s string) bool {
	for _, r := range s {
		if strings.ContainsRune("/?#%\\", r) || unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func quote(s string) string { return `"` + s + `"` }

// userMap is a user in the shape of userType.
func userMap(u *okta.User) map[string]any {
	profile := map[string]any{}
	if u.Profile != nil {
		profile = map[string]any(*u.Profile)
	}
	get := func(k string) any { return profile[k] }
	return map[string]any{
		"id":               str(u.Id),
		"status":           str(u.Status),
		"created":          timestamp(u.Created),
		"activated":        timestamp(u.Activated),
		"status_changed":   timestamp(u.StatusChanged),
		"last_updated":     timestamp(u.LastUpdated),
		"last_login":       timestamp(u.LastLogin),
		"password_changed": timestamp(u.PasswordChanged),
		"login":            get("login"),
		"email":            get("email"),
		"first_name":       get("firstName"),
		"last_name":        get("lastName"),
		"display_name":     get("displayName"),
		"profile":          profile,
	}
}
