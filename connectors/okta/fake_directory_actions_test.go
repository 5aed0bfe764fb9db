package okta_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// The actions that write users and groups and list users, groups and
// apps, each through the real connector (okta-sdk-golang) against
// fakeOkta, the fake written from Okta's API reference: what the fake was
// sent, what the action returned, the error kinds of 404, 400, 403 and
// 429, and paging by rel="next" to the end or to limit.

// fakeClient opens a connection to f and returns a function running an
// action that must succeed.
func fakeClient(t *testing.T, f *fakeOkta) (connector.Client, func(string, map[string]cty.Value) cty.Value) {
	t.Helper()
	c := (&org{srv: f.srv}).open(t, map[string]cty.Value{"token": s("fake-token")})
	return c, func(name string, in map[string]cty.Value) cty.Value {
		t.Helper()
		out, err := doWith(t, c, name, in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return out
	}
}

// sent returns the requests f saw from the n-th on, as "METHOD URI", and
// their bodies.
func (f *fakeOkta) sent(n int) ([]string, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests[n:]), slices.Clone(f.bodies[n:])
}

func (f *fakeOkta) mark() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// writes are the requests other than GET.
func writes(reqs []string) []string {
	var out []string
	for _, r := range reqs {
		if !strings.HasPrefix(r, "GET ") {
			out = append(out, r)
		}
	}
	return out
}

func ids(list cty.Value, attr string) string {
	var out []string
	for it := list.ElementIterator(); it.Next(); {
		_, v := it.Element()
		out = append(out, get(v, attr))
	}
	return strings.Join(out, ",")
}

func wantKind(t *testing.T, what string, err error, kind connector.Kind, status int, code string) *connector.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %v", what, kind)
	}
	ce := asError(t, err)
	if ce.Kind != kind || ce.Status != status || ce.Code != code {
		t.Errorf("%s: kind %v, HTTP %d, code %q; want %v, %d, %q (%v)", what, ce.Kind, ce.Status, ce.Code, kind, status, code, err)
	}
	return ce
}

func TestCreateUserAgainstFake(t *testing.T) {
	f := newFakeOkta(t)
	c, do := fakeClient(t, f)
	profile := func(login string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"login": s(login), "email": s(login), "firstName": s("New"), "lastName": s("Hire")})
	}

	// With a password, activated (the default), into two groups: one by
	// name, one by id.
	n := f.mark()
	out := do("create_user", map[string]cty.Value{"profile": profile("cy@x.example"), "password": s("Tr0ub4dor&3"),
		"groups": cty.ListVal([]cty.Value{s("Beta"), s("g-1")})})
	reqs, bodies := f.sent(n)
	if get(out, "status") != "ACTIVE" || get(out, "changed") != "true" || get(out, "login") != "cy@x.example" {
		t.Errorf("create_user with a password = %s", out.GoString())
	}
	if w := writes(reqs); len(w) != 1 || w[0] != "POST /api/v1/users?activate=true" {
		t.Fatalf("writes = %v", w)
	}
	var body struct {
		Profile     map[string]any `json:"profile"`
		Credentials struct {
			Password struct{ Value string } `json:"password"`
		} `json:"credentials"`
		GroupIDs []string `json:"groupIds"`
	}
	if err := json.Unmarshal([]byte(bodies[len(bodies)-1]), &body); err != nil {
		t.Fatal(err)
	}
	if body.Credentials.Password.Value != "Tr0ub4dor&3" || strings.Join(body.GroupIDs, ",") != "g-3,g-1" || body.Profile["lastName"] != "Hire" {
		t.Errorf("create body = %s", bodies[len(bodies)-1])
	}
	id := get(out, "id")
	if got := ids(do("list_user_groups", map[string]cty.Value{"user": s("cy@x.example")}).GetAttr("groups"), "name"); got != "Everyone,Alpha,Beta" {
		t.Errorf("the new user's groups = %s, want Everyone, Alpha and Beta", got)
	}

	// Without a password Okta leaves the user PROVISIONED (activation by
	// email); with activate = false, STAGED.
	n = f.mark()
	if out := do("create_user", map[string]cty.Value{"profile": profile("di@x.example")}); get(out, "status") != "PROVISIONED" {
		t.Errorf("create_user without a password = %s", out.GoString())
	}
	if _, bodies := f.sent(n); strings.Contains(bodies[len(bodies)-1], "credentials") {
		t.Errorf("a password-less create sent credentials: %s", bodies[len(bodies)-1])
	}
	n = f.mark()
	if out := do("create_user", map[string]cty.Value{"profile": profile("ed@x.example"), "activate": cty.False}); get(out, "status") != "STAGED" {
		t.Errorf("create_user activate = false: %s", out.GoString())
	}
	if reqs, _ := f.sent(n); !slices.Contains(reqs, "POST /api/v1/users?activate=false") {
		t.Errorf("requests = %v", reqs)
	}

	// A retried card finds the user by login and creates nothing.
	n = f.mark()
	if out := do("create_user", map[string]cty.Value{"profile": profile("cy@x.example"), "password": s("x")}); get(out, "changed") != "false" || get(out, "id") != id {
		t.Errorf("create_user again = %s", out.GoString())
	}
	if reqs, _ := f.sent(n); len(writes(reqs)) != 0 {
		t.Errorf("the retry wrote: %v", writes(reqs))
	}
	// A group that does not exist: nothing is created.
	n = f.mark()
	_, err := doWith(t, c, "create_user", map[string]cty.Value{"profile": profile("fi@x.example"), "groups": cty.ListVal([]cty.Value{s("Nope")})})
	wantKind(t, "create_user into a missing group", err, connector.NotFound, 404, "")
	if reqs, _ := f.sent(n); len(writes(reqs)) != 0 {
		t.Errorf("a create into a missing group wrote: %v", writes(reqs))
	}
	if out := do("create_user", map[string]cty.Value{"profile": profile("gi@x.example"), "groups": cty.ListVal([]cty.Value{s("Alps")})}); !slices.Contains(f.members["g-4"], get(out, "id")) {
		t.Errorf("not in Alps: %v", f.members["g-4"])
	}
}

func TestUpdateAndDeleteUserAgainstFake(t *testing.T) {
	f := newFakeOkta(t)
	c, do := fakeClient(t, f)

	// update_user: POST with the given attributes only; the rest stay.
	n := f.mark()
	out := do("update_user", map[string]cty.Value{"user": s("ann@x.example"), "profile": cty.ObjectVal(map[string]cty.Value{"title": s("Engineer")})})
	reqs, bodies := f.sent(n)
	if w := writes(reqs); len(w) != 1 || w[0] != "POST /api/v1/users/u-1" || strings.TrimSpace(bodies[len(bodies)-1]) != `{"profile":{"title":"Engineer"}}` {
		t.Errorf("update_user sent %v %q", w, bodies[len(bodies)-1])
	}
	if get(out, "profile", "title") != "Engineer" || get(out, "email") != "ann@x.example" {
		t.Errorf("update_user = %s", out.GoString())
	}

	// replace_user: PUT of the whole profile; what it leaves out is gone.
	full := map[string]cty.Value{"login": s("ann@x.example"), "email": s("ann@x.example"), "firstName": s("Ann"), "lastName": s("Lee")}
	n = f.mark()
	out = do("replace_user", map[string]cty.Value{"user": s("u-1"), "profile": cty.ObjectVal(full)})
	if reqs, _ := f.sent(n); !slices.Contains(reqs, "PUT /api/v1/users/u-1") {
		t.Errorf("replace_user requests = %v", reqs)
	}
	if get(out, "first_name") != "Ann" || get(out, "profile", "title") != "" {
		t.Errorf("replace_user = %s (title should be gone)", out.GoString())
	}
	delete(full, "email")
	_, err := doWith(t, c, "replace_user", map[string]cty.Value{"user": s("u-1"), "profile": cty.ObjectVal(full)})
	if ce := wantKind(t, "replace_user without email", err, connector.Invalid, 400, "E0000001"); ce != nil && !strings.Contains(ce.Message, "email") {
		t.Errorf("the 400's cause is not in the message: %q", ce.Message)
	}
	_, err = doWith(t, c, "update_user", map[string]cty.Value{"user": s("zed@x.example"), "profile": cty.ObjectVal(map[string]cty.Value{"title": s("X")})})
	wantKind(t, "update_user of a missing user", err, connector.NotFound, 404, "E0000007")

	// delete_user deactivates an active user, then deletes.
	n = f.mark()
	out = do("delete_user", map[string]cty.Value{"user": s("ann@x.example")})
	reqs, _ = f.sent(n)
	want := []string{"POST /api/v1/users/u-1/lifecycle/deactivate?sendEmail=false", "DELETE /api/v1/users/u-1?sendEmail=false"}
	if !slices.Equal(writes(reqs), want) || get(out, "id") != "u-1" || get(out, "changed") != "true" {
		t.Errorf("delete_user: %s after %v, want %v", out.GoString(), writes(reqs), want)
	}
	if f.users["u-1"] != nil {
		t.Error("u-1 is still there")
	}
	// Gone already: a no-op.
	n = f.mark()
	if out := do("delete_user", map[string]cty.Value{"user": s("ann@x.example")}); get(out, "changed") != "false" {
		t.Errorf("delete_user again = %s", out.GoString())
	}
	if reqs, _ := f.sent(n); len(writes(reqs)) != 0 {
		t.Errorf("the second delete wrote: %v", writes(reqs))
	}
	// A DEPROVISIONED user is deleted with one DELETE; send_email is passed.
	f.users["u-2"]["status"] = "DEPROVISIONED"
	n = f.mark()
	do("delete_user", map[string]cty.Value{"user": s("u-2"), "send_email": cty.True})
	if reqs, _ := f.sent(n); !slices.Equal(writes(reqs), []string{"DELETE /api/v1/users/u-2?sendEmail=true"}) {
		t.Errorf("deleting a deprovisioned user: %v", writes(reqs))
	}
}

// seedUsers adds users for the searches: ids in list order.
func seedUsers(f *fakeOkta) {
	for _, u := range []struct{ id, status, login, dept string }{
		{"u-3", "ACTIVE", "cat@x.example", "Sales"}, {"u-4", "ACTIVE", "dan@x.example", "Sales"},
		{"u-5", "DEPROVISIONED", "eve@x.example", "Sales"}, {"u-6", "ACTIVE", "fay@x.example", "Sales"},
	} {
		f.users[u.id] = fakeUser(u.id, u.status, u.login)
		f.users[u.id]["profile"].(map[string]any)["department"] = u.dept
		f.users[u.id]["profile"].(map[string]any)["firstName"] = strings.ToUpper(u.login[:1]) + u.login[1:3]
	}
}

func TestSearchUsersAgainstFake(t *testing.T) {
	f := newFakeOkta(t)
	seedUsers(f)
	c, do := fakeClient(t, f)

	// search, over pages of two to the end (DEPROVISIONED users included).
	n := f.mark()
	out := do("search_users", map[string]cty.Value{"search": s(`profile.department eq "Sales"`)})
	reqs, _ := f.sent(n)
	if got := ids(out.GetAttr("users"), "id"); got != "u-3,u-4,u-5,u-6" || get(out, "count") != "4" {
		t.Errorf("search = %s", got)
	}
	if len(reqs) != 2 || !strings.Contains(reqs[0], "search=profile.department+eq") || !strings.Contains(reqs[1], "after=u-4") {
		t.Errorf("search requests = %v", reqs)
	}
	// filter with a limit: the limit is sent and the list stops there.
	n = f.mark()
	out = do("search_users", map[string]cty.Value{"filter": s(`status eq "ACTIVE"`), "limit": cty.NumberIntVal(3)})
	reqs, _ = f.sent(n)
	if got := ids(out.GetAttr("users"), "id"); got != "u-1,u-3,u-4" {
		t.Errorf("filter with limit 3 = %s", got)
	}
	if len(reqs) != 2 || !strings.Contains(reqs[0], "limit=3") || !strings.Contains(reqs[0], "filter=status+eq") {
		t.Errorf("filter requests = %v", reqs)
	}
	// q: startsWith on firstName, lastName or email; one answer.
	if got := ids(do("search_users", map[string]cty.Value{"query": s("fa")}).GetAttr("users"), "login"); got != "fay@x.example" {
		t.Errorf("q = %s", got)
	}
	_, err := doWith(t, c, "search_users", map[string]cty.Value{"filter": s(`status gt 1`)})
	wantKind(t, "a filter Okta refuses", err, connector.Invalid, 400, "E0000031")

	// 429: the kind and the reset Okta gave; the next call waits for the
	// reset without sending anything.
	f.throttle("GET", "/api/v1/users", 1)
	_, err = doWith(t, c, "search_users", map[string]cty.Value{"filter": s(`status eq "ACTIVE"`)})
	// The wait is Reset - Date + 1 s from the answer (the SDK's); the
	// fake's Date is the current whole second, so RetryAt lands between
	// 1 s and 2 s (plus the round trip) after the reset.
	if ce := wantKind(t, "search_users throttled", err, connector.RateLimited, 429, "E0000047"); ce != nil &&
		(ce.RetryAt.Before(fakeReset.Add(time.Second)) || !ce.RetryAt.Before(fakeReset.Add(3*time.Second))) {
		t.Errorf("RetryAt = %v, want 1–2 s after %v", ce.RetryAt, fakeReset)
	}
	n = f.mark()
	_, err = doWith(t, c, "search_users", map[string]cty.Value{"filter": s(`status eq "ACTIVE"`)})
	if reqs, _ := f.sent(n); connector.KindOf(err) != connector.RateLimited || len(reqs) != 0 {
		t.Errorf("after the 429: %v, %d requests sent (want none before the reset)", err, len(reqs))
	}
}

func TestGroupsAgainstFake(t *testing.T) {
	f := newFakeOkta(t)
	c, do := fakeClient(t, f)
	if out := do("read_group", map[string]cty.Value{"group": s("Alpha")}); get(out, "id") != "g-1" || get(out, "type") != "OKTA_GROUP" {
		t.Errorf("read_group by name = %s", out.GoString())
	}
	if out := do("read_group", map[string]cty.Value{"group": s("g-0")}); get(out, "name") != "Everyone" || get(out, "type") != "BUILT_IN" {
		t.Errorf("read_group by id = %s", out.GoString())
	}
	_, err := doWith(t, c, "read_group", map[string]cty.Value{"group": s("g-99")})
	// Not a name, and Okta's 404 on the id: the error names what was looked for.
	if ce := wantKind(t, "read_group g-99", err, connector.NotFound, 404, ""); ce != nil && !strings.Contains(ce.Message, "g-99") {
		t.Errorf("message = %q", ce.Message)
	}
	if reqs, _ := f.sent(0); !slices.Contains(reqs, "GET /api/v1/groups/g-99") {
		t.Errorf("the id was not tried: %v", reqs)
	}

	// create_group, then the same card again.
	n := f.mark()
	out := do("create_group", map[string]cty.Value{"name": s("Gamma"), "description": s("Third")})
	if get(out, "changed") != "true" || get(out, "name") != "Gamma" || get(out, "description") != "Third" {
		t.Errorf("create_group = %s", out.GoString())
	}
	gid := get(out, "id")
	if again := do("create_group", map[string]cty.Value{"name": s("Gamma")}); get(again, "changed") != "false" || get(again, "id") != gid {
		t.Errorf("create_group again = %s", again.GoString())
	}
	reqs, bodies := f.sent(n)
	if w := writes(reqs); len(w) != 1 || w[0] != "POST /api/v1/groups" {
		t.Errorf("create writes = %v", w)
	}
	var created struct{ Profile map[string]any }
	if i := slices.Index(reqs, "POST /api/v1/groups"); i < 0 || json.Unmarshal([]byte(bodies[i]), &created) != nil ||
		len(created.Profile) != 2 || created.Profile["name"] != "Gamma" || created.Profile["description"] != "Third" {
		t.Errorf("create body = %v", bodies)
	}

	// update_group: PUT of the whole profile, the name kept; unchanged
	// values write nothing.
	n = f.mark()
	if out := do("update_group", map[string]cty.Value{"group": s("Gamma"), "description": s("3rd")}); get(out, "changed") != "true" || get(out, "name") != "Gamma" {
		t.Errorf("update_group = %s", out.GoString())
	}
	if out := do("update_group", map[string]cty.Value{"group": s(gid), "description": s("3rd")}); get(out, "changed") != "false" {
		t.Errorf("update_group unchanged = %s", out.GoString())
	}
	reqs, bodies = f.sent(n)
	if w := writes(reqs); len(w) != 1 || w[0] != "PUT /api/v1/groups/"+gid || !strings.Contains(bodies[slices.Index(reqs, w[0])], `"name":"Gamma"`) {
		t.Errorf("update writes = %v %v", w, bodies)
	}
	_, err = doWith(t, c, "update_group", map[string]cty.Value{"group": s("Everyone"), "name": s("All")})
	wantKind(t, "renaming Everyone", err, connector.Permission, 403, "E0000006")

	// delete_group, then again.
	n = f.mark()
	if out := do("delete_group", map[string]cty.Value{"group": s("Gamma")}); get(out, "changed") != "true" || get(out, "id") != gid {
		t.Errorf("delete_group = %s", out.GoString())
	}
	if out := do("delete_group", map[string]cty.Value{"group": s("Gamma")}); get(out, "changed") != "false" {
		t.Errorf("delete_group again = %s", out.GoString())
	}
	if reqs, _ := f.sent(n); !slices.Equal(writes(reqs), []string{"DELETE /api/v1/groups/" + gid}) {
		t.Errorf("delete writes = %v", writes(reqs))
	}

	// list_group_members stops at limit, and sends it.
	n = f.mark()
	if out := do("list_group_members", map[string]cty.Value{"group": s("g-0"), "limit": cty.NumberIntVal(1)}); get(out, "count") != "1" || get(out, "group_id") != "g-0" {
		t.Errorf("list_group_members limit 1 = %s", out.GoString())
	}
	if reqs, _ := f.sent(n); !slices.Contains(reqs, "GET /api/v1/groups/g-0/users?limit=1") {
		t.Errorf("members requests = %v", reqs)
	}
}

func TestAppListsAgainstFake(t *testing.T) {
	f := newFakeOkta(t)
	c, do := fakeClient(t, f)

	// q over pages; filter; limit.
	n := f.mark()
	if got := ids(do("search_apps", map[string]cty.Value{"query": s("wiki")}).GetAttr("apps"), "label"); got != "Wiki,Wikipedia,Wiki Archive" {
		t.Errorf("search_apps q = %s", got)
	}
	if reqs, _ := f.sent(n); len(reqs) != 2 || !strings.Contains(reqs[0], "q=wiki") {
		t.Errorf("search_apps requests = %v", reqs)
	}
	if got := ids(do("search_apps", map[string]cty.Value{"filter": s(`status eq "ACTIVE"`), "limit": cty.NumberIntVal(3)}).GetAttr("apps"), "id"); got != "app-1,app-2,app-3" {
		t.Errorf("search_apps filter, limit 3 = %s", got)
	}
	out := do("search_apps", map[string]cty.Value{"filter": s(`status eq "INACTIVE"`)})
	if get(out, "count") != "1" || get(out.GetAttr("apps").Index(cty.NumberIntVal(0)), "status") != "INACTIVE" || get(out.GetAttr("apps").Index(cty.NumberIntVal(0)), "sign_on_mode") != "BOOKMARK" {
		t.Errorf("search_apps INACTIVE = %s", out.GoString())
	}
	_, err := doWith(t, c, "search_apps", map[string]cty.Value{"filter": s(`label sw "W"`)})
	wantKind(t, "an unsupported app filter", err, connector.Invalid, 400, "E0000001")

	// list_user_apps: a direct assignment and one through a group.
	n = f.mark()
	if out := do("list_user_apps", map[string]cty.Value{"user": s("ann@x.example")}); ids(out.GetAttr("apps"), "label") != "Zoom" || get(out, "user_id") != "u-1" {
		t.Errorf("list_user_apps ann = %s", out.GoString())
	}
	if reqs, _ := f.sent(n); !slices.ContainsFunc(reqs, func(r string) bool { return strings.HasPrefix(r, `GET /api/v1/apps?filter=user.id+eq+%22u-1%22`) }) {
		t.Errorf("list_user_apps requests = %v", reqs)
	}
	if got := ids(do("list_user_apps", map[string]cty.Value{"user": s("u-2")}).GetAttr("apps"), "label"); got != "Wiki" {
		t.Errorf("list_user_apps bob = %s", got)
	}

	// list_app_users: scope USER for a direct assignment, GROUP otherwise.
	out = do("list_app_users", map[string]cty.Value{"app": s("Wiki")})
	if get(out, "app_id") != "app-1" || ids(out.GetAttr("users"), "scope") != "USER" || ids(out.GetAttr("users"), "user_name") != "bob@x.example" {
		t.Errorf("list_app_users Wiki = %s", out.GoString())
	}
	if out := do("list_app_users", map[string]cty.Value{"app": s("Zoom")}); ids(out.GetAttr("users"), "id") != "u-1" || ids(out.GetAttr("users"), "scope") != "GROUP" {
		t.Errorf("list_app_users Zoom = %s", out.GoString())
	}

	// list_app_groups over pages once three groups are assigned.
	for _, g := range []string{"Beta", "Alps"} {
		do("assign_group_to_app", map[string]cty.Value{"app": s("Zoom"), "group": s(g)})
	}
	n = f.mark()
	out = do("list_app_groups", map[string]cty.Value{"app": s("Zoom")})
	if ids(out.GetAttr("groups"), "id") != "g-1,g-3,g-4" || get(out, "count") != "3" || get(out.GetAttr("groups").Index(cty.NumberIntVal(1)), "priority") != "3" {
		t.Errorf("list_app_groups = %s", out.GoString())
	}
	if reqs, _ := f.sent(n); len(reqs) != 2+countPrefix(reqs, "GET /api/v1/apps?") || !strings.Contains(reqs[len(reqs)-1], "after=g-3") {
		t.Errorf("list_app_groups requests = %v", reqs)
	}
	_, err = doWith(t, c, "list_app_users", map[string]cty.Value{"app": s("Nope")})
	wantKind(t, "list_app_users of a missing app", err, connector.NotFound, 404, "")

	f.throttle("GET", "/api/v1/apps/app-4/groups", 1)
	_, err = doWith(t, c, "list_app_groups", map[string]cty.Value{"app": s("Zoom")})
	wantKind(t, "list_app_groups throttled", err, connector.RateLimited, 429, "E0000047")
}

func countPrefix(reqs []string, prefix string) int {
	n := 0
	for _, r := range reqs {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

// TestSystemLogLimitAgainstFake: search_system_log stops at limit and
// sends it as the page size.
func TestSystemLogLimitAgainstFake(t *testing.T) {
	f := newFakeOkta(t)
	_, do := fakeClient(t, f)
	out := do("search_system_log", map[string]cty.Value{"filter": s(`eventType eq "user.lifecycle.create"`), "limit": cty.NumberIntVal(2)})
	reqs, _ := f.sent(0)
	if get(out, "count") != "2" || len(reqs) != 1 || !strings.Contains(reqs[0], "limit=2") {
		t.Errorf("search_system_log limit 2 = %s after %v", get(out, "count"), reqs)
	}
}
