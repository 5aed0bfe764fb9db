package emulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

func TestCreateAndGetUser(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	created := o.createUser(t, "a+b@x.com", false)
	if created.Status != "STAGED" || created.Activated != nil {
		t.Errorf("created status = %q activated = %v, want STAGED and nil", created.Status, created.Activated)
	}
	if len(created.Id) != 20 || !strings.HasPrefix(created.Id, "00u") {
		t.Errorf("id = %q, want 20 characters starting with 00u", created.Id)
	}
	for _, key := range []string{created.Id, "a+b@x.com", "A+B@X.COM"} {
		got, _, err := o.client.User.GetUser(o.ctx, key)
		if err != nil {
			t.Fatalf("GetUser(%q): %v", key, err)
		}
		if got.Id != created.Id || (*got.Profile)["login"] != "a+b@x.com" {
			t.Errorf("GetUser(%q) = %s %v", key, got.Id, *got.Profile)
		}
	}
	// A URL-encoded login resolves too.
	if resp := doRaw(t, o, "GET", "/api/v1/users/a%2Bb%40x.com", "SSWS x"); resp.StatusCode != 200 {
		t.Errorf("GET encoded login: %d", resp.StatusCode)
	}

	_, resp, err := o.client.User.GetUser(o.ctx, "missing@x.com")
	wantOktaError(t, resp, err, http.StatusNotFound, "E0000007")
	if err != nil && !strings.Contains(err.Error(), "Not found: Resource not found: missing@x.com (User)") {
		t.Errorf("404 error = %v", err)
	}

	p := okta.UserProfile(profile("a+b@x.com", "Dup", "Licate"))
	_, resp, err = o.client.User.CreateUser(o.ctx, okta.CreateUserRequest{Profile: &p}, nil)
	wantOktaError(t, resp, err, http.StatusBadRequest, "E0000001")
	if err != nil && !strings.Contains(err.Error(), "login: An object with this field already exists in the current organization") {
		t.Errorf("duplicate error = %v", err)
	}

	bad := okta.UserProfile{"login": "nofirst@x.com", "email": "nofirst@x.com"}
	_, resp, err = o.client.User.CreateUser(o.ctx, okta.CreateUserRequest{Profile: &bad}, nil)
	wantOktaError(t, resp, err, http.StatusBadRequest, "E0000001")
}

func TestCreateUserActivatesByDefault(t *testing.T) {
	// Reference §3.2: activate=true (the default) makes a user with a
	// password ACTIVE, and one without PROVISIONED until the welcome flow.
	tests := []struct {
		name     string
		password string
		want     string
	}{
		{"with a password", "Welcome-2-Acme", "ACTIVE"},
		{"without credentials", "", "PROVISIONED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrg(t, emulator.Options{})
			p := okta.UserProfile(profile("new@x.com", "New", "Hire"))
			req := okta.CreateUserRequest{Profile: &p}
			if tt.password != "" {
				req.Credentials = &okta.UserCredentials{Password: &okta.PasswordCredential{Value: tt.password}}
			}
			u, _, err := o.client.User.CreateUser(o.ctx, req, nil)
			if err != nil {
				t.Fatal(err)
			}
			if u.Status != tt.want || u.Activated == nil {
				t.Errorf("status = %q activated = %v, want %s with a time", u.Status, u.Activated, tt.want)
			}
			var types []string
			for _, ev := range o.emu.LogEvents() {
				types = append(types, ev.EventType)
			}
			if diff := cmp.Diff([]string{"user.lifecycle.create", "user.lifecycle.activate"}, types); diff != "" {
				t.Errorf("log events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestActivationWithoutPassword follows a user without credentials through
// the welcome flow: activate leaves them PROVISIONED, activating again is
// refused (E0000038: the activation is not lost, it waits for the user),
// reactivate sends a new link and keeps them PROVISIONED, and only the
// user's finishing the welcome flow makes them ACTIVE.
func TestActivationWithoutPassword(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	p := okta.UserProfile(profile("nopw@x.com", "No", "Password"))
	u, _, err := o.client.User.CreateUser(o.ctx, okta.CreateUserRequest{Profile: &p}, query.NewQueryParams(query.WithActivate(false)))
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != "STAGED" {
		t.Fatalf("created with activate=false: %s, want STAGED", u.Status)
	}
	tok, _, err := o.client.User.ActivateUser(o.ctx, u.Id, query.NewQueryParams(query.WithSendEmail(false)))
	if err != nil {
		t.Fatal(err)
	}
	if tok.ActivationToken == "" || !strings.HasSuffix(tok.ActivationUrl, "/welcome/"+tok.ActivationToken) {
		t.Errorf("activation token = %+v", tok)
	}
	if got, _ := o.emu.User(u.Id); got.Status != "PROVISIONED" || got.Activated == nil {
		t.Errorf("after activate: %s %v, want PROVISIONED with a time", got.Status, got.Activated)
	}
	_, resp, err := o.client.User.ActivateUser(o.ctx, u.Id, nil)
	wantOktaError(t, resp, err, http.StatusForbidden, "E0000038")

	raw := doRaw(t, o, http.MethodPost, "/api/v1/users/"+u.Id+"/lifecycle/reactivate?sendEmail=false", "SSWS "+testToken)
	var again map[string]string
	if err := json.NewDecoder(raw.Body).Decode(&again); err != nil || raw.StatusCode != http.StatusOK {
		t.Fatalf("reactivate: %d %v", raw.StatusCode, err)
	}
	if again["activationToken"] == "" || again["activationToken"] == tok.ActivationToken {
		t.Errorf("reactivate answered %v, want a new activation token", again)
	}
	if got, _ := o.emu.User(u.Id); got.Status != "PROVISIONED" {
		t.Errorf("after reactivate: %s, want PROVISIONED", got.Status)
	}
	if _, err := o.client.User.SuspendUser(o.ctx, u.Id); err == nil {
		t.Error("suspending a PROVISIONED user succeeded, want it refused")
	}

	// The welcome flow is the user's, not the admin's: no API token.
	raw = doRaw(t, o, http.MethodPost, "/_emulator/users/nopw%40x.com/welcome", "")
	var done emulator.User
	if err := json.NewDecoder(raw.Body).Decode(&done); err != nil || raw.StatusCode != http.StatusOK {
		t.Fatalf("welcome: %d %v", raw.StatusCode, err)
	}
	if done.Status != "ACTIVE" || done.PasswordChanged == nil || done.Credentials["password"] == nil {
		t.Errorf("after the welcome flow: status %s, passwordChanged %v, credentials %v; want ACTIVE with a password",
			done.Status, done.PasswordChanged, done.Credentials)
	}
	_, resp, err = o.client.User.ActivateUser(o.ctx, u.Id, nil)
	wantOktaError(t, resp, err, http.StatusForbidden, "E0000016")
	if err := o.emu.CompleteActivation(u.Id); err == nil || !strings.Contains(err.Error(), "E0000038") {
		t.Errorf("CompleteActivation of an ACTIVE user: %v, want E0000038", err)
	}
	if resp := doRaw(t, o, http.MethodPost, "/_emulator/users/missing@x.com/welcome", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("welcome of a missing user: %d, want 404", resp.StatusCode)
	}
	var types []string
	for _, ev := range o.emu.LogEvents() {
		types = append(types, ev.EventType)
	}
	want := []string{"user.lifecycle.create", "user.lifecycle.activate", "user.lifecycle.reactivate", "user.account.update_password"}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("log events (-want +got):\n%s", diff)
	}
}

func TestSeedUserPassword(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	if err := o.emu.Seed(emulator.Seed{Users: []emulator.SeedUser{
		{Status: "STAGED", Profile: profile("pw@x.com", "Has", "Password"), Password: "Welcome-2-Acme"},
		{Status: "STAGED", Profile: profile("nopw@x.com", "No", "Password")},
	}}); err != nil {
		t.Fatal(err)
	}
	for login, want := range map[string]string{"pw@x.com": "ACTIVE", "nopw@x.com": "PROVISIONED"} {
		if err := o.emu.Lifecycle(login, "activate"); err != nil {
			t.Fatalf("activate %s: %v", login, err)
		}
		if u, _ := o.emu.User(login); u.Status != want {
			t.Errorf("%s activated: %s, want %s", login, u.Status, want)
		}
	}
}

func TestListUsersPaging(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	var want []string
	for _, l := range []string{"u1@x.com", "u2@x.com", "u3@x.com", "u4@x.com", "u5@x.com"} {
		want = append(want, o.createUser(t, l, true).Id)
	}
	users, resp, err := o.client.User.ListUsers(o.ctx, query.NewQueryParams(query.WithLimit(2)))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(resp.Header.Values("Link")); n != 2 {
		t.Errorf("first page has %d Link header lines, want 2 (self and next)", n)
	}
	pages := 1
	got := ids(users)
	for resp.HasNextPage() {
		if pages > 5 {
			t.Fatalf("still paging after %d pages: the next link does not advance", pages)
		}
		var next []*okta.User
		if resp, err = resp.Next(o.ctx, &next); err != nil {
			t.Fatal(err)
		}
		pages++
		got = append(got, ids(next)...)
	}
	if pages != 3 {
		t.Errorf("pages = %d, want 3", pages)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("users across pages (-want +got):\n%s", diff)
	}
}

func ids(us []*okta.User) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, u.Id)
	}
	return out
}

func TestListUsersSearch(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	if err := o.emu.Seed(emulator.Seed{Users: []emulator.SeedUser{
		{Profile: profile("kari@x.com", "Kari", "Nordmann")},
		{Profile: profile("ola@x.com", "Ola", "Hansen"), Status: "STAGED"},
		{Profile: profile("gone@x.com", "Karl", "Gone"), Status: "DEPROVISIONED"},
	}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		qp   *query.Params
		want []string
	}{
		{"plain list omits DEPROVISIONED", nil, []string{"kari@x.com", "ola@x.com"}},
		{"q startsWith firstName", query.NewQueryParams(query.WithQ("kar")), []string{"kari@x.com"}},
		{"q startsWith lastName", query.NewQueryParams(query.WithQ("hans")), []string{"ola@x.com"}},
		{"filter status", query.NewQueryParams(query.WithFilter(`status eq "DEPROVISIONED"`)), []string{"gone@x.com"}},
		{"filter login", query.NewQueryParams(query.WithFilter(`profile.login eq "ola@x.com"`)), []string{"ola@x.com"}},
		{"search and", query.NewQueryParams(query.WithSearch(`profile.firstName sw "Kar" and status eq "ACTIVE"`)), []string{"kari@x.com"}},
		{"search or", query.NewQueryParams(query.WithSearch(`profile.lastName eq "Hansen" or profile.lastName eq "Gone"`)), []string{"ola@x.com", "gone@x.com"}},
		{"lastUpdated gt", query.NewQueryParams(query.WithFilter(`lastUpdated gt "2000-01-01T00:00:00.000Z"`)), []string{"kari@x.com", "ola@x.com", "gone@x.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			us, _, err := o.client.User.ListUsers(o.ctx, tt.qp)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, logins(us)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	_, resp, err := o.client.User.ListUsers(o.ctx, query.NewQueryParams(query.WithFilter(`status eq`)))
	wantOktaError(t, resp, err, http.StatusBadRequest, "E0000031")
}

func TestUserLifecycle(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	staged := o.createUser(t, "staged@x.com", false)

	tok, _, err := o.client.User.ActivateUser(o.ctx, staged.Id, query.NewQueryParams(query.WithSendEmail(false)))
	if err != nil {
		t.Fatal(err)
	}
	if tok.ActivationToken == "" || !strings.HasSuffix(tok.ActivationUrl, "/welcome/"+tok.ActivationToken) {
		t.Errorf("activation token = %+v", tok)
	}
	if u, _ := o.emu.User(staged.Id); u.Status != "ACTIVE" || u.Activated == nil {
		t.Errorf("after activate: %s %v", u.Status, u.Activated)
	}
	_, resp, err := o.client.User.ActivateUser(o.ctx, staged.Id, nil)
	wantOktaError(t, resp, err, http.StatusForbidden, "E0000016")

	steps := []struct {
		name   string
		do     func() (*okta.Response, error)
		status string // wanted user status, or
		code   string // wanted error code
		http   int    // and HTTP status
	}{
		{"suspend active", func() (*okta.Response, error) { return o.client.User.SuspendUser(o.ctx, staged.Id) }, "SUSPENDED", "", 0},
		{"suspend suspended", func() (*okta.Response, error) { return o.client.User.SuspendUser(o.ctx, staged.Id) }, "", "E0000001", 400},
		{"activate suspended", func() (*okta.Response, error) {
			_, r, err := o.client.User.ActivateUser(o.ctx, staged.Id, nil)
			return r, err
		}, "", "E0000038", 403},
		{"unsuspend", func() (*okta.Response, error) { return o.client.User.UnsuspendUser(o.ctx, staged.Id) }, "ACTIVE", "", 0},
		{"unsuspend active", func() (*okta.Response, error) { return o.client.User.UnsuspendUser(o.ctx, staged.Id) }, "", "E0000001", 400},
		{"deactivate", func() (*okta.Response, error) { return o.client.User.DeactivateUser(o.ctx, staged.Id, nil) }, "DEPROVISIONED", "", 0},
		{"reactivate deprovisioned via activate", func() (*okta.Response, error) {
			_, r, err := o.client.User.ActivateUser(o.ctx, staged.Id, nil)
			return r, err
		}, "ACTIVE", "", 0},
		{"first delete deactivates", func() (*okta.Response, error) {
			return o.client.User.DeactivateOrDeleteUser(o.ctx, staged.Id, nil)
		}, "DEPROVISIONED", "", 0},
	}
	for _, s := range steps {
		resp, err := s.do()
		if s.code != "" {
			wantOktaError(t, resp, err, s.http, s.code)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if u, _ := o.emu.User(staged.Id); u.Status != s.status {
			t.Errorf("%s: status = %s, want %s", s.name, u.Status, s.status)
		}
	}
	resp, err = o.client.User.DeactivateOrDeleteUser(o.ctx, staged.Id, nil)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("second delete: %v %v", resp, err)
	}
	if _, ok := o.emu.User(staged.Id); ok {
		t.Error("user still exists after the second DELETE")
	}
}

func TestUpdateUserProfile(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	u := o.createUser(t, "p@x.com", true)
	u.Profile = &okta.UserProfile{"department": "Finance"}
	got, _, err := o.client.User.PartialUpdateUser(o.ctx, u.Id, *u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if (*got.Profile)["department"] != "Finance" || (*got.Profile)["firstName"] != "Test" {
		t.Errorf("partial update profile = %v", *got.Profile)
	}
	full := okta.UserProfile(profile("p2@x.com", "Per", "Two"))
	u.Profile = &full
	got, _, err = o.client.User.UpdateUser(o.ctx, u.Id, *u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := (*got.Profile)["department"]; ok || (*got.Profile)["login"] != "p2@x.com" {
		t.Errorf("full update profile = %v", *got.Profile)
	}
	u.Profile = &okta.UserProfile{"login": "p2@x.com"}
	_, resp, err := o.client.User.UpdateUser(o.ctx, u.Id, *u, nil)
	wantOktaError(t, resp, err, http.StatusBadRequest, "E0000001")
}

func TestAuthAndRouting(t *testing.T) {
	o := newOrg(t, emulator.Options{Token: testToken})
	ctx, bad := newClient(t, o.srv, "wrong-token")
	_, resp, err := bad.User.ListUsers(ctx, nil)
	wantOktaError(t, resp, err, http.StatusUnauthorized, "E0000011")
	if _, _, err := o.client.User.ListUsers(o.ctx, nil); err != nil {
		t.Errorf("right token: %v", err)
	}
	tests := []struct {
		method, path, auth string
		status             int
	}{
		{"GET", "/api/v1/users", "", 401},
		{"GET", "/api/v1/users", "Bearer " + testToken, 200},
		{"GET", "/api/v1/nothing", "SSWS " + testToken, 404},
		{"PATCH", "/api/v1/users", "SSWS " + testToken, 405},
	}
	for _, tt := range tests {
		resp := doRaw(t, o, tt.method, tt.path, tt.auth)
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
		}
		h := resp.Header
		if h.Get("X-Okta-Request-Id") == "" || h.Get("X-Rate-Limit-Reset") == "" || h.Get("Date") == "" {
			t.Errorf("%s %s: missing Okta headers: %v", tt.method, tt.path, h)
		}
		if !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: content type %q", tt.method, tt.path, h.Get("Content-Type"))
		}
	}
}
