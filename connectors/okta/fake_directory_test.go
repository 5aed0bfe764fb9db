package okta_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
)

// fakeDir is the part of fakeOkta that writes users and groups and lists
// users and apps, written from the Users, Groups and Applications API
// reference:
//   - POST /api/v1/users?activate=: STAGED without activation, ACTIVE with
//     a password, PROVISIONED without one; groupIds put the user in groups;
//     a login that exists is 400 E0000001 with an errorCause on login.
//   - POST /api/v1/users/{id} merges the profile, PUT replaces it (400 when
//     login, email, firstName or lastName is missing).
//   - lifecycle/deactivate makes a user DEPROVISIONED; DELETE deletes only a
//     DEPROVISIONED user (204) and deactivates any other (also 204).
//   - GET /api/v1/users: q (startsWith on firstName, lastName, email; not
//     paged), filter and search (eq on status, id or profile.*), limit and
//     an opaque after cursor (the last id of the page) in rel="next"; the
//     plain list leaves out DEPROVISIONED users.
//   - GET /api/v1/users/{id}/groups: every group of the user, one answer.
//   - groups: POST creates (200), PUT replaces the profile, DELETE is 204;
//     the BUILT_IN group cannot be changed or deleted (403 E0000006).
//   - GET /api/v1/apps (q startsWith on name or label, filter on status,
//     name or user.id), /apps/{id}/users and /apps/{id}/groups.
//
// Pages hold at most fakeDirPage items whatever limit asks; the next link
// comes on its own Link header line, as Okta sends it.
type fakeDir struct {
	bodies    []string            // request bodies, in the order of requests
	apps      []map[string]any    // app instances, in list order
	appUsers  map[string][]string // app id → directly assigned user ids
	throttled map[string]int      // "METHOD /path" → 429s still to answer
	nextID    int
}

const fakeDirPage = 2

// record keeps the request line and body for the assertions.
func (f *fakeOkta) record(r *http.Request) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	f.bodies = append(f.bodies, string(body))
}

// throttle makes the next n requests of method on path answer 429, as an
// exhausted rate-limit bucket does.
func (f *fakeOkta) throttle(method, path string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.throttled == nil {
		f.throttled = map[string]int{}
	}
	f.throttled[method+" "+path] = n
}

// fakeReset is the X-Rate-Limit-Reset the fake's 429s carry.
var fakeReset = time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)

func (f *fakeOkta) injected(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	key := r.Method + " " + r.URL.Path
	hit := f.throttled[key] > 0
	if hit {
		f.throttled[key]--
	}
	f.mu.Unlock()
	if !hit {
		return false
	}
	w.Header().Set("X-Rate-Limit-Limit", "600")
	w.Header().Set("X-Rate-Limit-Remaining", "0")
	w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(fakeReset.Unix(), 10))
	writeFake(w, 429, map[string]any{"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests.",
		"errorLink": "E0000047", "errorId": "x", "errorCauses": []any{}})
	return true
}

func (f *fakeOkta) routeDirectory(m *http.ServeMux) {
	f.appUsers = map[string][]string{"app-1": {"u-2"}}
	for i, a := range [][3]string{{"app-1", "bookmark", "Wiki"}, {"app-2", "slack", "Slack"}, {"app-3", "bookmark", "Wikipedia"},
		{"app-4", "zoom", "Zoom"}, {"app-5", "bookmark", "Wiki Archive"}} {
		status := "ACTIVE"
		if i == 4 {
			status = "INACTIVE"
		}
		f.apps = append(f.apps, map[string]any{"id": a[0], "name": a[1], "label": a[2], "status": status,
			"signOnMode": "BOOKMARK", "created": "2026-01-01T00:00:00.000Z", "lastUpdated": "2026-01-01T00:00:00.000Z"})
	}
	f.appGroup["app-4|g-1"] = true
	m.HandleFunc("GET /api/v1/users", f.listUsers)
	m.HandleFunc("POST /api/v1/users", f.createUser)
	m.HandleFunc("POST /api/v1/users/{id}", f.updateUser)
	m.HandleFunc("PUT /api/v1/users/{id}", f.updateUser)
	m.HandleFunc("DELETE /api/v1/users/{id}", f.deleteUser)
	m.HandleFunc("POST /api/v1/users/{id}/lifecycle/deactivate", f.deactivateUser)
	m.HandleFunc("GET /api/v1/users/{id}/groups", f.userGroups)
	m.HandleFunc("POST /api/v1/groups", f.createGroup)
	m.HandleFunc("PUT /api/v1/groups/{gid}", f.replaceGroup)
	m.HandleFunc("DELETE /api/v1/groups/{gid}", f.deleteGroup)
	m.HandleFunc("GET /api/v1/apps", f.listApps)
	m.HandleFunc("GET /api/v1/apps/{aid}/users", f.appUserList)
	m.HandleFunc("GET /api/v1/apps/{aid}/groups", f.appGroupList)
}

func fakeInvalid(w http.ResponseWriter, cause string) {
	writeFake(w, 400, map[string]any{"errorCode": "E0000001", "errorSummary": "Api validation failed: " + cause,
		"errorLink": "E0000001", "errorId": "x", "errorCauses": []any{map[string]any{"errorSummary": cause}}})
}

func fakeForbidden(w http.ResponseWriter) {
	writeFake(w, 403, map[string]any{"errorCode": "E0000006", "errorSummary": "You do not have permission to perform the requested action",
		"errorLink": "E0000006", "errorId": "x", "errorCauses": []any{}})
}

// cursorPage answers one page of items after the cursor (an id), of
// min(limit, fakeDirPage) items, and links the next page while more remain.
func (f *fakeOkta) cursorPage(w http.ResponseWriter, r *http.Request, items []map[string]any) {
	q := r.URL.Query()
	start := 0
	if after := q.Get("after"); after != "" {
		start = len(items)
		for i, it := range items {
			if it["id"] == after {
				start = i + 1
			}
		}
	}
	size := fakeDirPage
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && n < size {
		size = n
	}
	end := min(start+size, len(items))
	w.Header().Add("Link", "<"+f.srv.URL+r.URL.RequestURI()+`>; rel="self"`)
	if end < len(items) {
		q.Set("after", items[end-1]["id"].(string))
		w.Header().Add("Link", "<"+f.srv.URL+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	}
	page := make([]any, 0, end-start)
	for _, it := range items[start:end] {
		page = append(page, it)
	}
	writeFake(w, 200, page)
}

// sortedUsers are the users in id order, a stable list order.
func (f *fakeOkta) sortedUsers() []map[string]any {
	ids := connector.SortedKeys(f.users)
	out := make([]map[string]any, len(ids))
	for i, id := range ids {
		out[i] = f.users[id]
	}
	return out
}

// eqTerm reads `attr eq "value"`, the one operator the fake knows.
func eqTerm(expr string) (attr, value string, ok bool) {
	attr, quoted, found := strings.Cut(expr, " eq ")
	if !found {
		return "", "", false
	}
	value, err := strconv.Unquote(strings.TrimSpace(quoted))
	return strings.TrimSpace(attr), value, err == nil
}

func userAttr(u map[string]any, attr string) any {
	if name, ok := strings.CutPrefix(attr, "profile."); ok {
		return u["profile"].(map[string]any)[name]
	}
	return u[attr]
}

func (f *fakeOkta) listUsers(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	expr := q.Get("filter")
	if expr == "" {
		expr = q.Get("search")
	}
	var attr, value string
	if expr != "" {
		var ok bool
		if attr, value, ok = eqTerm(expr); !ok {
			writeFake(w, 400, map[string]any{"errorCode": "E0000031", "errorSummary": "Invalid search criteria.",
				"errorLink": "E0000031", "errorId": "x", "errorCauses": []any{}})
			return
		}
	}
	var out []map[string]any
	for _, u := range f.sortedUsers() {
		p := u["profile"].(map[string]any)
		switch {
		case expr != "" && userAttr(u, attr) != value:
		case expr == "" && u["status"] == "DEPROVISIONED":
		case q.Get("q") != "" && !slices.ContainsFunc([]string{"firstName", "lastName", "email"}, func(k string) bool {
			s, _ := p[k].(string)
			return strings.HasPrefix(strings.ToLower(s), strings.ToLower(q.Get("q")))
		}):
		default:
			out = append(out, u)
		}
	}
	if q.Get("q") != "" { // a query is not paged
		page := make([]any, len(out))
		for i, u := range out {
			page[i] = u
		}
		writeFake(w, 200, page)
		return
	}
	f.cursorPage(w, r, out)
}

type fakeUserBody struct {
	Profile     map[string]any `json:"profile"`
	Credentials *struct {
		Password *struct {
			Value string `json:"value"`
		} `json:"password"`
	} `json:"credentials"`
	GroupIDs []string `json:"groupIds"`
}

func (f *fakeOkta) createUser(w http.ResponseWriter, r *http.Request) {
	var b fakeUserBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil || b.Profile == nil {
		writeFake(w, 400, map[string]any{"errorCode": "E0000003", "errorSummary": "The request body was not well-formed.",
			"errorLink": "E0000003", "errorId": "x", "errorCauses": []any{}})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u["profile"].(map[string]any)["login"] == b.Profile["login"] {
			fakeInvalid(w, "login: An object with this field already exists in the current organization")
			return
		}
	}
	for _, gid := range b.GroupIDs {
		if !slices.ContainsFunc(f.groups, func(g map[string]any) bool { return g["id"] == gid }) {
			fakeNotFound(w, gid+" (UserGroup)")
			return
		}
	}
	f.nextID++
	id := fmt.Sprintf("u-new-%d", f.nextID)
	status := "STAGED"
	if r.URL.Query().Get("activate") != "false" { // activate defaults to true
		status = "PROVISIONED"
		if b.Credentials != nil && b.Credentials.Password != nil {
			status = "ACTIVE"
		}
	}
	u := map[string]any{"id": id, "status": status, "created": "2026-02-01T00:00:00.000Z", "profile": b.Profile}
	f.users[id] = u
	f.members["g-0"] = append(f.members["g-0"], id) // everyone is in Everyone
	for _, gid := range b.GroupIDs {
		f.members[gid] = append(f.members[gid], id)
	}
	writeFake(w, 200, u)
}

// updateUser is POST (partial: the given attributes change, a null clears
// one) and PUT (the profile is replaced whole).
func (f *fakeOkta) updateUser(w http.ResponseWriter, r *http.Request) {
	var b fakeUserBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		fakeInvalid(w, "body")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[r.PathValue("id")]
	if u == nil {
		fakeNotFound(w, r.PathValue("id")+" (User)")
		return
	}
	profile := map[string]any{}
	if r.Method == http.MethodPost {
		for k, v := range u["profile"].(map[string]any) {
			profile[k] = v
		}
	}
	for k, v := range b.Profile {
		profile[k] = v
	}
	for _, k := range []string{"login", "email", "firstName", "lastName"} {
		if s, _ := profile[k].(string); s == "" {
			fakeInvalid(w, k+": The field cannot be left blank")
			return
		}
	}
	u["profile"] = profile
	u["lastUpdated"] = "2026-02-02T00:00:00.000Z"
	writeFake(w, 200, u)
}

func (f *fakeOkta) deactivateUser(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[r.PathValue("id")]
	if u == nil {
		fakeNotFound(w, r.PathValue("id")+" (User)")
		return
	}
	u["status"] = "DEPROVISIONED"
	writeFake(w, 200, map[string]any{})
}

func (f *fakeOkta) deleteUser(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.users[r.PathValue("id")]
	switch {
	case u == nil:
		fakeNotFound(w, r.PathValue("id")+" (User)")
		return
	case u["status"] == "DEPROVISIONED":
		delete(f.users, r.PathValue("id"))
	default: // the first DELETE only deactivates
		u["status"] = "DEPROVISIONED"
	}
	w.WriteHeader(http.StatusNoContent)
}

func (f *fakeOkta) userGroups(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.users[r.PathValue("id")] == nil {
		fakeNotFound(w, r.PathValue("id")+" (User)")
		return
	}
	out := []any{}
	for _, g := range f.groups {
		if slices.Contains(f.members[g["id"].(string)], r.PathValue("id")) {
			out = append(out, g)
		}
	}
	writeFake(w, 200, out)
}

type fakeGroupBody struct {
	Profile map[string]any `json:"profile"`
}

func (f *fakeOkta) createGroup(w http.ResponseWriter, r *http.Request) {
	var b fakeGroupBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil || b.Profile["name"] == nil || b.Profile["name"] == "" {
		fakeInvalid(w, "name: The field cannot be left blank")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	g := map[string]any{"id": fmt.Sprintf("g-new-%d", f.nextID), "type": "OKTA_GROUP", "profile": b.Profile}
	f.groups = append(f.groups, g)
	writeFake(w, 200, g)
}

func (f *fakeOkta) groupAt(id string) int {
	return slices.IndexFunc(f.groups, func(g map[string]any) bool { return g["id"] == id })
}

func (f *fakeOkta) replaceGroup(w http.ResponseWriter, r *http.Request) {
	var b fakeGroupBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil || b.Profile["name"] == nil {
		fakeInvalid(w, "name: The field cannot be left blank")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	i := f.groupAt(r.PathValue("gid"))
	switch {
	case i < 0:
		fakeNotFound(w, r.PathValue("gid")+" (UserGroup)")
	case f.groups[i]["type"] != "OKTA_GROUP":
		fakeForbidden(w)
	default:
		f.groups[i]["profile"] = b.Profile
		writeFake(w, 200, f.groups[i])
	}
}

func (f *fakeOkta) deleteGroup(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := f.groupAt(r.PathValue("gid"))
	switch {
	case i < 0:
		fakeNotFound(w, r.PathValue("gid")+" (UserGroup)")
	case f.groups[i]["type"] != "OKTA_GROUP":
		fakeForbidden(w)
	default:
		f.groups = slices.Delete(f.groups, i, i+1)
		w.WriteHeader(http.StatusNoContent)
	}
}

// userHasApp reports whether uid is assigned to app aid, directly or
// through one of its groups.
func (f *fakeOkta) userHasApp(uid, aid string) bool {
	if slices.Contains(f.appUsers[aid], uid) {
		return true
	}
	for gid, members := range f.members {
		if f.appGroup[aid+"|"+gid] && slices.Contains(members, uid) {
			return true
		}
	}
	return false
}

func (f *fakeOkta) listApps(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := r.URL.Query()
	attr, value, filtered := eqTerm(q.Get("filter"))
	if q.Get("filter") != "" && (!filtered || !slices.Contains([]string{"status", "name", "id", "user.id"}, attr)) {
		fakeInvalid(w, "filter: Invalid filter")
		return
	}
	var out []map[string]any
	for _, a := range f.apps {
		prefix := strings.ToLower(q.Get("q"))
		switch {
		case prefix != "" && !strings.HasPrefix(strings.ToLower(a["name"].(string)), prefix) &&
			!strings.HasPrefix(strings.ToLower(a["label"].(string)), prefix):
		case filtered && attr == "user.id" && !f.userHasApp(value, a["id"].(string)):
		case filtered && attr != "user.id" && a[attr] != value:
		default:
			out = append(out, a)
		}
	}
	f.cursorPage(w, r, out)
}

func (f *fakeOkta) appUserList(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	aid := r.PathValue("aid")
	var out []map[string]any
	for _, u := range f.sortedUsers() {
		uid := u["id"].(string)
		if !f.userHasApp(uid, aid) {
			continue
		}
		scope := "GROUP"
		if slices.Contains(f.appUsers[aid], uid) {
			scope = "USER"
		}
		out = append(out, map[string]any{"id": uid, "scope": scope, "status": "PROVISIONED", "created": "2026-01-03T00:00:00.000Z",
			"credentials": map[string]any{"userName": u["profile"].(map[string]any)["login"]}})
	}
	f.cursorPage(w, r, out)
}

func (f *fakeOkta) appGroupList(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for i, g := range f.groups {
		if f.appGroup[r.PathValue("aid")+"|"+g["id"].(string)] {
			out = append(out, map[string]any{"id": g["id"], "priority": i, "lastUpdated": "2026-01-04T00:00:00.000Z", "profile": map[string]any{}})
		}
	}
	f.cursorPage(w, r, out)
}
