package okta_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// fakeOkta is a second, independent stand-in for the endpoints the newer
// actions use, written from Okta's API reference rather than shared with
// the emulator: ids of another shape, pages of two with Okta's self and
// next links folded into one Link line (as proxies may fold them), the
// System Log's endless next link, and the write-only answers (204, {}).
// It records each request so tests can check what the actions sent.
type fakeOkta struct {
	mu       sync.Mutex
	srv      *httptest.Server
	users    map[string]map[string]any // id → user JSON
	groups   []map[string]any
	members  map[string][]string // group id → user ids
	appGroup map[string]bool     // "app|group"
	requests []string
	fakeDir  // users and groups written, users and apps listed: fake_directory_test.go
}

const fakePage = 2

func newFakeOkta(t *testing.T) *fakeOkta {
	t.Helper()
	f := &fakeOkta{users: map[string]map[string]any{}, members: map[string][]string{}, appGroup: map[string]bool{}}
	f.users["u-1"] = fakeUser("u-1", "ACTIVE", "ann@x.example")
	f.users["u-2"] = fakeUser("u-2", "LOCKED_OUT", "bob@x.example")
	for i, n := range []string{"Everyone", "Alpha", "Alpine", "Beta", "Alps"} {
		typ := "OKTA_GROUP"
		if i == 0 {
			typ = "BUILT_IN"
		}
		f.groups = append(f.groups, map[string]any{"id": fmt.Sprintf("g-%d", i), "type": typ,
			"profile": map[string]any{"name": n, "description": nil}})
	}
	f.members["g-0"] = []string{"u-1", "u-2"}
	f.members["g-1"] = []string{"u-1"}
	m := http.NewServeMux()
	m.HandleFunc("GET /api/v1/users/{id}", f.getUser)
	m.HandleFunc("POST /api/v1/users/{id}/lifecycle/{op}", f.userOp)
	m.HandleFunc("DELETE /api/v1/users/{id}/sessions", f.noContent)
	m.HandleFunc("GET /api/v1/groups", f.listGroups)
	m.HandleFunc("GET /api/v1/groups/{gid}", f.getGroup)
	m.HandleFunc("GET /api/v1/groups/{gid}/users", f.groupUsers)
	m.HandleFunc("GET /api/v1/apps/{aid}", f.getApp)
	m.HandleFunc("GET /api/v1/apps/{aid}/groups/{gid}", f.getAppGroup)
	m.HandleFunc("PUT /api/v1/apps/{aid}/groups/{gid}", f.putAppGroup)
	m.HandleFunc("DELETE /api/v1/apps/{aid}/groups/{gid}", f.deleteAppGroup)
	m.HandleFunc("GET /api/v1/logs", f.logs)
	f.routeDirectory(m)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.record(r)
		if r.Header.Get("Authorization") != "SSWS fake-token" {
			writeFake(w, 401, map[string]any{"errorCode": "E0000011", "errorSummary": "Invalid token provided"})
			return
		}
		if f.injected(w, r) {
			return
		}
		m.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func fakeUser(id, status, login string) map[string]any {
	return map[string]any{"id": id, "status": status, "created": "2026-01-01T00:00:00.000Z",
		"profile": map[string]any{"login": login, "email": login, "firstName": "F", "lastName": "L"}}
}

func writeFake(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fakeNotFound(w http.ResponseWriter, what string) {
	writeFake(w, 404, map[string]any{"errorCode": "E0000007", "errorSummary": "Not found: Resource not found: " + what,
		"errorLink": "E0000007", "errorId": "x", "errorCauses": []any{}})
}

// page answers items[after:after+2] with one folded Link line.
func (f *fakeOkta) page(w http.ResponseWriter, r *http.Request, items []any) {
	after, _ := strconv.Atoi(r.URL.Query().Get("after"))
	end := min(after+fakePage, len(items))
	if after > len(items) {
		after = len(items)
	}
	link := "<" + f.srv.URL + r.URL.RequestURI() + `>; rel="self"`
	if end < len(items) {
		q := r.URL.Query()
		q.Set("after", strconv.Itoa(end))
		link += ", <" + f.srv.URL + r.URL.Path + "?" + q.Encode() + `>; rel="next"`
	}
	w.Header().Set("Link", link)
	writeFake(w, 200, items[after:end])
}

func (f *fakeOkta) getUser(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u["id"] == r.PathValue("id") || u["profile"].(map[string]any)["login"] == r.PathValue("id") {
			writeFake(w, 200, u)
			return
		}
	}
	fakeNotFound(w, r.PathValue("id")+" (User)")
}

// userOp serves the password, unlock and factor operations with the
// answers the API reference gives for them.
func (f *fakeOkta) userOp(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[r.PathValue("id")]
	if u == nil {
		fakeNotFound(w, r.PathValue("id")+" (User)")
		return
	}
	switch r.PathValue("op") {
	case "reset_password":
		u["status"] = "RECOVERY"
		if r.URL.Query().Get("sendEmail") == "false" {
			writeFake(w, 200, map[string]any{"resetPasswordUrl": f.srv.URL + "/reset_password/tok123"})
			return
		}
		writeFake(w, 200, map[string]any{})
	case "expire_password":
		u["status"] = "PASSWORD_EXPIRED"
		writeFake(w, 200, u)
	case "unlock":
		u["status"] = "ACTIVE"
		writeFake(w, 200, map[string]any{})
	case "reset_factors":
		writeFake(w, 200, map[string]any{})
	default:
		fakeNotFound(w, "endpoint")
	}
}

func (f *fakeOkta) noContent(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeOkta) listGroups(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	var out []any
	for _, g := range f.groups {
		name := g["profile"].(map[string]any)["name"].(string)
		switch {
		case q.Get("q") != "" && !strings.HasPrefix(strings.ToLower(name), strings.ToLower(q.Get("q"))):
		case strings.HasPrefix(q.Get("search"), "profile.name eq ") && q.Get("search") != "profile.name eq "+strconv.Quote(name):
		case strings.HasPrefix(q.Get("filter"), "type eq ") && q.Get("filter") != "type eq "+strconv.Quote(g["type"].(string)):
		default:
			out = append(out, g)
		}
	}
	if q.Get("q") != "" { // a query is not paged
		writeFake(w, 200, out)
		return
	}
	f.page(w, r, out)
}

func (f *fakeOkta) getGroup(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.groups {
		if g["id"] == r.PathValue("gid") {
			writeFake(w, 200, g)
			return
		}
	}
	fakeNotFound(w, r.PathValue("gid")+" (UserGroup)")
}

func (f *fakeOkta) groupUsers(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []any
	for _, id := range f.members[r.PathValue("gid")] {
		out = append(out, f.users[id])
	}
	f.page(w, r, out)
}

func (f *fakeOkta) getApp(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("aid") != "app-1" {
		fakeNotFound(w, r.PathValue("aid")+" (AppInstance)")
		return
	}
	writeFake(w, 200, map[string]any{"id": "app-1", "name": "bookmark", "label": "Wiki", "status": "ACTIVE",
		"signOnMode": "BOOKMARK", "settings": map[string]any{"app": map[string]any{"url": "https://wiki.x.example"}}})
}

func (f *fakeOkta) getAppGroup(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.appGroup[r.PathValue("aid")+"|"+r.PathValue("gid")] {
		fakeNotFound(w, r.PathValue("gid")+" (ApplicationGroupAssignment)")
		return
	}
	writeFake(w, 200, map[string]any{"id": r.PathValue("gid"), "priority": 0, "profile": map[string]any{}})
}

func (f *fakeOkta) putAppGroup(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.appGroup[r.PathValue("aid")+"|"+r.PathValue("gid")] = true
	writeFake(w, 200, map[string]any{"id": r.PathValue("gid"), "priority": 0, "profile": map[string]any{}})
}

func (f *fakeOkta) deleteAppGroup(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.appGroup, r.PathValue("aid")+"|"+r.PathValue("gid"))
	w.WriteHeader(http.StatusNoContent)
}

// logs serves three events, two a page, and like Okta always links a next
// page, empty once the events run out.
func (f *fakeOkta) logs(w http.ResponseWriter, r *http.Request) {
	var out []any
	for i := range 3 {
		out = append(out, map[string]any{"uuid": fmt.Sprintf("ev-%d", i), "eventType": "user.lifecycle.create",
			"published": "2026-01-01T00:00:0" + strconv.Itoa(i) + ".000Z", "severity": "INFO",
			"target": []any{map[string]any{"id": "u-1", "type": "User"}}})
	}
	after, _ := strconv.Atoi(r.URL.Query().Get("after"))
	after = min(after, len(out))
	end := min(after+fakePage, len(out))
	q := r.URL.Query()
	q.Set("after", strconv.Itoa(end))
	w.Header().Add("Link", "<"+f.srv.URL+r.URL.RequestURI()+`>; rel="self"`)
	w.Header().Add("Link", "<"+f.srv.URL+"/api/v1/logs?"+q.Encode()+`>; rel="next"`)
	writeFake(w, 200, out[after:end])
}

func (f *fakeOkta) count(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

// TestActionsAgainstFake runs the newer actions against fakeOkta.
func TestActionsAgainstFake(t *testing.T) {
	f := newFakeOkta(t)
	c := (&org{srv: f.srv}).open(t, map[string]cty.Value{"token": s("fake-token")})
	do := func(name string, in map[string]cty.Value) cty.Value {
		t.Helper()
		out, err := doWith(t, c, name, in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return out
	}
	ann := map[string]cty.Value{"user": s("ann@x.example")}
	if out := do("reset_password", ann); get(out, "reset_password_url") != f.srv.URL+"/reset_password/tok123" || get(out, "status") != "RECOVERY" {
		t.Errorf("reset_password = %s", out.GoString())
	}
	if out := do("expire_password", ann); get(out, "status") != "PASSWORD_EXPIRED" || get(out, "changed") != "true" {
		t.Errorf("expire_password = %s", out.GoString())
	}
	if out := do("unlock_user", map[string]cty.Value{"user": s("u-2")}); get(out, "status") != "ACTIVE" || get(out, "previous_status") != "LOCKED_OUT" {
		t.Errorf("unlock_user = %s", out.GoString())
	}
	do("clear_user_sessions", ann)
	do("reset_factors", ann)
	if f.count("DELETE /api/v1/users/u-1/sessions") != 1 || f.count("POST /api/v1/users/u-1/lifecycle/reset_factors") != 1 {
		t.Errorf("requests = %v", f.requests)
	}

	// Pages of two, self and next folded into one Link line.
	members := do("list_group_members", map[string]cty.Value{"group": s("Everyone")})
	if get(members, "count") != "2" {
		t.Errorf("list_group_members = %s", members.GoString())
	}
	all := do("search_groups", map[string]cty.Value{"filter": s(`type eq "OKTA_GROUP"`), "limit": cty.NumberIntVal(4)})
	if get(all, "count") != "4" || get(all.GetAttr("groups").Index(cty.NumberIntVal(3)), "name") != "Alps" || f.count("GET /api/v1/groups?") != 3 {
		t.Errorf("search_groups over pages = %s, %d requests", all.GoString(), f.count("GET /api/v1/groups?"))
	}
	q := do("search_groups", map[string]cty.Value{"query": s("Alp")})
	if get(q, "count") != "3" {
		t.Errorf("search_groups q = %s", q.GoString())
	}
	if out := do("read_app", map[string]cty.Value{"app": s("app-1")}); get(out, "label") != "Wiki" || get(out, "sign_on_mode") != "BOOKMARK" {
		t.Errorf("read_app = %s", out.GoString())
	}
	in := map[string]cty.Value{"app": s("app-1"), "group": s("Beta")}
	for i, want := range []string{"true", "false"} {
		if out := do("assign_group_to_app", in); get(out, "changed") != want || get(out, "group_id") != "g-3" {
			t.Errorf("assign #%d = %s", i+1, out.GoString())
		}
	}
	if f.count("PUT /api/v1/apps/app-1/groups/g-3") != 1 {
		t.Errorf("PUTs = %d, want 1", f.count("PUT /api/v1/apps/app-1/groups/g-3"))
	}
	for i, want := range []string{"true", "false"} {
		if out := do("remove_group_from_app", in); get(out, "changed") != want {
			t.Errorf("remove #%d = %s", i+1, out.GoString())
		}
	}
	// The System Log links a next page forever: the action stops at the
	// first empty page.
	logs := do("search_system_log", map[string]cty.Value{"filter": s(`eventType eq "user.lifecycle.create"`)})
	if get(logs, "count") != "3" || f.count("GET /api/v1/logs") != 3 {
		t.Errorf("search_system_log = %s after %d requests", get(logs, "count"), f.count("GET /api/v1/logs"))
	}
	_, err := doWith(t, c, "read_group", map[string]cty.Value{"group": s("Nope")})
	if err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("read_group Nope: %v", err)
	}
}
