package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

// pagedOrg seeds five of everything: users u1…u5 (members of group g1 and
// assigned to app a1), groups g1…g5 (g1 assigned to apps a1…a5), apps
// a1…a5 (a1 with groups g1…g5).
func pagedOrg(t *testing.T) *org {
	t.Helper()
	o := newOrg(t, emulator.Options{})
	var s emulator.Seed
	for i := 1; i <= 5; i++ {
		s.Groups = append(s.Groups, emulator.SeedGroup{ID: fmt.Sprintf("g%d", i), Name: fmt.Sprintf("Group %d", i)})
		s.Apps = append(s.Apps, emulator.SeedApp{ID: fmt.Sprintf("a%d", i), Name: "slack", Label: fmt.Sprintf("App %d", i), SignOnMode: "SAML_2_0"})
	}
	for i := 1; i <= 5; i++ {
		login := fmt.Sprintf("u%d@x.com", i)
		s.Users = append(s.Users, emulator.SeedUser{ID: fmt.Sprintf("u%d", i), Profile: profile(login, "Pat", "User"),
			Groups: []string{"g1"}, Apps: []string{"a1"}})
	}
	if err := o.emu.Seed(s); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		put(t, o, fmt.Sprintf("/api/v1/apps/a1/groups/g%d", i))
		if i > 1 {
			put(t, o, fmt.Sprintf("/api/v1/apps/a%d/groups/g1", i))
		}
	}
	return o
}

func put(t *testing.T, o *org, path string) {
	t.Helper()
	if resp := doRaw(t, o, http.MethodPut, path, "SSWS "+testToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT %s: %d", path, resp.StatusCode)
	}
}

// pagedEndpoints are every paged list endpoint and the ids of what it
// lists, in order.
var pagedEndpoints = []struct {
	path string
	want []string
}{
	{"/api/v1/users", []string{"u1", "u2", "u3", "u4", "u5"}},
	{"/api/v1/users?filter=" + url.QueryEscape(`status eq "ACTIVE"`), []string{"u1", "u2", "u3", "u4", "u5"}},
	{"/api/v1/users?q=pat", []string{"u1", "u2", "u3", "u4", "u5"}},
	// The plain list holds the Everyone group too (everyone.go).
	{"/api/v1/groups?filter=" + url.QueryEscape(`type eq "OKTA_GROUP"`), []string{"g1", "g2", "g3", "g4", "g5"}},
	{"/api/v1/groups?search=" + url.QueryEscape(`profile.name sw "Group"`), []string{"g1", "g2", "g3", "g4", "g5"}},
	{"/api/v1/groups/g1/users", []string{"u1", "u2", "u3", "u4", "u5"}},
	{"/api/v1/groups/g1/apps", []string{"a1", "a2", "a3", "a4", "a5"}},
	{"/api/v1/apps", []string{"a1", "a2", "a3", "a4", "a5"}},
	{"/api/v1/apps/a1/users", []string{"u1", "u2", "u3", "u4", "u5"}},
	{"/api/v1/apps/a1/groups", []string{"g1", "g2", "g3", "g4", "g5"}},
}

var linkLine = regexp.MustCompile(`^<([^>]+)>; rel="(self|next)"$`)

// page GETs one page and returns its ids, its self link and its next link.
func page(t *testing.T, o *org, path string) (ids []string, self, next string) {
	t.Helper()
	resp := doRaw(t, o, http.MethodGet, path, "SSWS "+testToken)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	// One link per header line: the SDK reads them so.
	for _, l := range resp.Header.Values("Link") {
		m := linkLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("GET %s: Link line %q is not one link", path, l)
		}
		if m[2] == "self" {
			self = m[1]
		} else {
			next = m[1]
		}
	}
	if self != o.srv.URL+path {
		t.Errorf("GET %s: rel=self is %q", path, self)
	}
	var items []struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&items); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids, self, next
}

func withQuery(path, k, v string) string {
	u, _ := url.Parse(path)
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
	return u.String()
}

// Every paged list follows its rel="next" links by limit, keeps limit in
// them, ends without one, and lists everything once in order.
func TestEveryListPagesByLimitAndAfter(t *testing.T) {
	o := pagedOrg(t)
	for _, ep := range pagedEndpoints {
		t.Run(ep.path, func(t *testing.T) {
			var got []string
			var sizes []int
			path := withQuery(ep.path, "limit", "2")
			for n := 0; path != ""; n++ {
				if n == 5 {
					t.Fatal("still paging after 5 pages: the next link does not advance")
				}
				ids, _, next := page(t, o, path)
				got, sizes = append(got, ids...), append(sizes, len(ids))
				path = ""
				if next != "" {
					u, err := url.Parse(next)
					if err != nil || u.Query().Get("limit") != "2" || u.Query().Get("after") == "" {
						t.Fatalf("next link %q lost limit or has no after cursor", next)
					}
					path = u.RequestURI()
				}
			}
			if diff := cmp.Diff(ep.want, got); diff != "" {
				t.Errorf("ids across pages (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]int{2, 2, 1}, sizes); diff != "" {
				t.Errorf("page sizes (-want +got):\n%s", diff)
			}
			// Without limit, Okta's default for each of them holds all five.
			if ids, _, next := page(t, o, ep.path); len(ids) != 5 || next != "" {
				t.Errorf("the default page has %d items and next %q, want 5 and none", len(ids), next)
			}
		})
	}
}

// Every paged list refuses a limit that is no number and a cursor that is
// not one of its own with Okta's 400 E0000001; limit=0 means the largest.
func TestEveryListRefusesBadPaging(t *testing.T) {
	o := pagedOrg(t)
	foreign := "" // a valid cursor of another list
	_, _, next := page(t, o, "/api/v1/logs?limit=1")
	if u, err := url.Parse(next); err == nil {
		foreign = u.Query().Get("after")
	}
	if foreign == "" {
		t.Fatal("the System Log gave no cursor")
	}
	for _, ep := range pagedEndpoints {
		t.Run(ep.path, func(t *testing.T) {
			for _, bad := range []struct{ k, v string }{{"limit", "-1"}, {"limit", "two"}, {"after", "!!"}, {"after", foreign}} {
				resp := doRaw(t, o, http.MethodGet, withQuery(ep.path, bad.k, bad.v), "SSWS "+testToken)
				var body struct{ ErrorCode string }
				_ = json.NewDecoder(resp.Body).Decode(&body)
				if resp.StatusCode != http.StatusBadRequest || body.ErrorCode != "E0000001" {
					t.Errorf("%s=%s: %d %s, want 400 E0000001", bad.k, bad.v, resp.StatusCode, body.ErrorCode)
				}
			}
			if ids, _, next := page(t, o, withQuery(ep.path, "limit", "0")); len(ids) != 5 || next != "" {
				t.Errorf("limit=0: %d items and next %q, want all 5 on one page", len(ids), next)
			}
		})
	}
}

// A nested list of a parent that does not exist is a 404, whatever its
// paging.
func TestNestedListOfMissingParent(t *testing.T) {
	o := pagedOrg(t)
	for _, path := range []string{"/api/v1/groups/nope/users", "/api/v1/groups/nope/apps", "/api/v1/apps/nope/users", "/api/v1/apps/nope/groups"} {
		resp := doRaw(t, o, http.MethodGet, path+"?limit=2", "SSWS "+testToken)
		var body struct{ ErrorCode string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != http.StatusNotFound || body.ErrorCode != "E0000007" || resp.Header.Get("Link") != "" {
			t.Errorf("%s: %d %s Link %q, want 404 E0000007 without links", path, resp.StatusCode, body.ErrorCode, resp.Header.Get("Link"))
		}
	}
}
