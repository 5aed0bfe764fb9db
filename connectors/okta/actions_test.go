package okta_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

func TestReadUser(t *testing.T) {
	o := newOrg(t, nil)
	erik, _ := o.emu.User("erik.berg@acme.example")
	for _, ref := range []string{"erik.berg@acme.example", erik.ID} {
		out := o.mustDo(t, "read_user", map[string]cty.Value{"user": s(ref)})
		for path, want := range map[string]string{
			"id": erik.ID, "status": "ACTIVE", "login": "erik.berg@acme.example", "first_name": "Erik",
			"last_name": "Berg", "email": "erik.berg@acme.example",
		} {
			if got := get(out, path); got != want {
				t.Errorf("read_user(%s).%s = %q, want %q", ref, path, got, want)
			}
		}
		if got := get(out, "profile", "department"); got != "Finance" {
			t.Errorf("profile.department = %q", got)
		}
		if got := get(out, "profile", "employeeNumber"); got != "4711" {
			t.Errorf("profile.employeeNumber = %q, want the number as text", got)
		}
		if get(out, "created") == "" || get(out, "last_updated") == "" {
			t.Errorf("timestamps missing: %s", out.GoString())
		}
	}
}

func TestReadUserNotFound(t *testing.T) {
	o := newOrg(t, nil)
	for _, ref := range []string{"nobody@acme.example", "no/body@acme.example", "what?#x@acme.example"} {
		_, err := o.do(t, "read_user", map[string]cty.Value{"user": s(ref)})
		ce := asError(t, err)
		if ce.Kind != connector.NotFound || ce.Op != "okta.read_user" || !strings.Contains(ce.Error(), ref) {
			t.Errorf("read_user(%q) error = %v (kind %v, op %q), want NotFound naming the user", ref, err, ce.Kind, ce.Op)
		}
	}
	_, err := o.do(t, "read_user", map[string]cty.Value{"user": s("  ")})
	if connector.KindOf(err) != connector.Invalid {
		t.Errorf("empty user: %v, want Invalid", err)
	}
}

func TestSearchUsersFollowsPages(t *testing.T) {
	o := newOrg(t, nil)
	for i := range 230 {
		if _, err := o.emu.CreateUser(map[string]any{"login": fmt.Sprintf("bulk%03d@acme.example", i),
			"email": fmt.Sprintf("bulk%03d@acme.example", i), "firstName": "Bulk", "lastName": "User"}, true); err != nil {
			t.Fatal(err)
		}
	}
	before := o.emu.Requests()
	out := o.mustDo(t, "search_users", map[string]cty.Value{
		"search": s(`profile.lastName eq "User"`), "limit": cty.NumberIntVal(215)})
	if n := out.GetAttr("users").LengthInt(); n != 215 || get(out, "count") != "215" {
		t.Fatalf("got %d users (count %s), want 215", n, get(out, "count"))
	}
	if reqs := o.emu.Requests() - before; reqs != 2 {
		t.Errorf("search took %d requests, want 2 pages", reqs)
	}
	out = o.mustDo(t, "search_users", map[string]cty.Value{"filter": s(`profile.login eq "erik.berg@acme.example"`)})
	if get(out, "count") != "1" || get(out.GetAttr("users").Index(cty.NumberIntVal(0)), "first_name") != "Erik" {
		t.Errorf("filter search = %s", out.GoString())
	}
}

func TestUpdateUserProfile(t *testing.T) {
	o := newOrg(t, nil)
	out := o.mustDo(t, "update_user_profile", map[string]cty.Value{
		"user":    s("erik.berg@acme.example"),
		"profile": cty.ObjectVal(map[string]cty.Value{"title": s("CFO"), "costCenter": s("F100")}),
	})
	if get(out, "profile", "title") != "CFO" || get(out, "profile", "department") != "Finance" {
		t.Errorf("output profile = %s, want title changed and department kept", out.GetAttr("profile").GoString())
	}
	u, _ := o.emu.User("erik.berg@acme.example")
	if u.Profile["title"] != "CFO" || u.Profile["costCenter"] != "F100" || u.Profile["department"] != "Finance" {
		t.Errorf("emulator profile = %v", u.Profile)
	}
	_, err := o.do(t, "update_user_profile", map[string]cty.Value{"user": s("erik.berg@acme.example"), "profile": s("x")})
	if connector.KindOf(err) != connector.Invalid {
		t.Errorf("non-object profile: %v, want Invalid", err)
	}
}

func TestGroupMembership(t *testing.T) {
	o := newOrg(t, nil)
	kari := map[string]cty.Value{"user": s("kari.nordmann@acme.example"), "group": s("VPN Users")}
	for i, want := range []string{"true", "false"} {
		out := o.mustDo(t, "add_user_to_group", kari)
		if get(out, "changed") != want || get(out, "group_name") != "VPN Users" {
			t.Errorf("add #%d: %s, want changed=%s", i+1, out.GoString(), want)
		}
	}
	if !hasMember(o, "VPN Users", "kari.nordmann@acme.example") || hasMember(o, "VPN Users Europe", "kari.nordmann@acme.example") {
		t.Fatal("membership not in the emulator, or in the group with the longer name")
	}
	listed := o.mustDo(t, "list_user_groups", map[string]cty.Value{"user": s("kari.nordmann@acme.example")})
	// Every user is also in the built-in Everyone group, listed first.
	if get(listed, "count") != "2" || get(listed.GetAttr("groups").Index(cty.NumberIntVal(0)), "name") != "Everyone" ||
		get(listed.GetAttr("groups").Index(cty.NumberIntVal(1)), "name") != "VPN Users" {
		t.Errorf("list_user_groups = %s", listed.GoString())
	}
	for i, want := range []string{"true", "false"} {
		out := o.mustDo(t, "remove_user_from_group", kari)
		if get(out, "changed") != want {
			t.Errorf("remove #%d: changed = %s, want %s", i+1, get(out, "changed"), want)
		}
	}
	if hasMember(o, "VPN Users", "kari.nordmann@acme.example") {
		t.Error("still a member after remove")
	}
	g, _ := o.emu.Group("Finance")
	out := o.mustDo(t, "add_user_to_group", map[string]cty.Value{"user": s("kari.nordmann@acme.example"), "group": s(g.ID)})
	if get(out, "group_id") != g.ID || get(out, "changed") != "true" {
		t.Errorf("add by id: %s", out.GoString())
	}
	_, err := o.do(t, "add_user_to_group", map[string]cty.Value{"user": s("kari.nordmann@acme.example"), "group": s("vpn users")})
	if ce := asError(t, err); ce.Kind != connector.NotFound || !strings.Contains(ce.Message, `"vpn users"`) {
		t.Errorf("unknown group: %v, want NotFound naming it", err)
	}
}

func hasMember(o *org, group, login string) bool {
	for _, u := range o.emu.GroupMembers(group) {
		if u.Login() == login {
			return true
		}
	}
	return false
}

func TestAppAssignment(t *testing.T) {
	o := newOrg(t, nil)
	in := map[string]cty.Value{"user": s("kari.nordmann@acme.example"), "app": s("Salesforce")}
	for i, want := range []string{"true", "false"} {
		out := o.mustDo(t, "assign_user_to_app", in)
		if get(out, "changed") != want || get(out, "app_label") != "Salesforce" {
			t.Errorf("assign #%d: %s, want changed=%s", i+1, out.GoString(), want)
		}
	}
	if !assigned(o, "Salesforce", "kari.nordmann@acme.example") || assigned(o, "Salesforce Sandbox", "kari.nordmann@acme.example") {
		t.Fatal("assignment missing, or made to the app whose label only starts the same")
	}
	for i, want := range []string{"true", "false"} {
		out := o.mustDo(t, "remove_user_from_app", in)
		if get(out, "changed") != want {
			t.Errorf("remove #%d: changed = %s, want %s", i+1, get(out, "changed"), want)
		}
	}
	if assigned(o, "Salesforce", "kari.nordmann@acme.example") {
		t.Error("still assigned after remove")
	}
	slack, _ := o.emu.App("Slack")
	out := o.mustDo(t, "assign_user_to_app", map[string]cty.Value{"user": s("erik.berg@acme.example"), "app": s(slack.ID)})
	if get(out, "changed") != "false" || get(out, "app_id") != slack.ID {
		t.Errorf("seeded assignment by id: %s, want changed=false", out.GoString())
	}
	_, err := o.do(t, "assign_user_to_app", map[string]cty.Value{"user": s("erik.berg@acme.example"), "app": s("Slac")})
	if ce := asError(t, err); ce.Kind != connector.NotFound || !strings.Contains(ce.Message, `"Slac"`) {
		t.Errorf("unknown app: %v, want NotFound naming it", err)
	}
}

func assigned(o *org, app, login string) bool {
	for _, u := range o.emu.AppUsers(app) {
		if u.Login() == login {
			return true
		}
	}
	return false
}

func TestLifecycle(t *testing.T) {
	o := newOrg(t, nil)
	kari := map[string]cty.Value{"user": s("kari.nordmann@acme.example")}
	// Kari has no password: activated, she is PROVISIONED until she finishes
	// the welcome flow ("welcome", the emulator playing her); the password
	// she sets there makes a later activation ACTIVE at once.
	steps := []struct {
		action, previous, status, changed string
	}{
		{"activate_user", "STAGED", "PROVISIONED", "true"},
		{"activate_user", "PROVISIONED", "PROVISIONED", "false"},
		{"welcome", "", "ACTIVE", ""},
		{"activate_user", "ACTIVE", "ACTIVE", "false"},
		{"unsuspend_user", "ACTIVE", "ACTIVE", "false"},
		{"suspend_user", "ACTIVE", "SUSPENDED", "true"},
		{"suspend_user", "SUSPENDED", "SUSPENDED", "false"},
		{"unsuspend_user", "SUSPENDED", "ACTIVE", "true"},
		{"deactivate_user", "ACTIVE", "DEPROVISIONED", "true"},
		{"deactivate_user", "DEPROVISIONED", "DEPROVISIONED", "false"},
		{"activate_user", "DEPROVISIONED", "ACTIVE", "true"},
	}
	for i, st := range steps {
		if st.action == "welcome" {
			if err := o.emu.CompleteActivation("kari.nordmann@acme.example"); err != nil {
				t.Fatalf("step %d: %v", i+1, err)
			}
			continue
		}
		out := o.mustDo(t, st.action, kari)
		got := [3]string{get(out, "previous_status"), get(out, "status"), get(out, "changed")}
		if got != [3]string{st.previous, st.status, st.changed} {
			t.Fatalf("step %d %s: (previous, status, changed) = %v, want %v", i+1, st.action, got,
				[3]string{st.previous, st.status, st.changed})
		}
		if u, _ := o.emu.User("kari.nordmann@acme.example"); u.Status != st.status {
			t.Fatalf("step %d: emulator status %s, want %s", i+1, u.Status, st.status)
		}
	}
}

// TestActivateRaceWithPendingActivation: the user is activated by someone
// else between activate_user's read and its call. Okta refuses the second
// activation of the now PROVISIONED user with E0000038; that is the
// outcome the card wanted, not a conflict.
func TestActivateRaceWithPendingActivation(t *testing.T) {
	o := newOrg(t, nil)
	kari, _ := o.emu.User("kari.nordmann@acme.example")
	o.beforeRequest(func(method, path string) {
		if method == "POST" && strings.HasSuffix(path, "/lifecycle/activate") {
			if err := o.emu.Lifecycle(kari.ID, "activate"); err != nil {
				t.Errorf("racing activation: %v", err)
			}
		}
	})
	out := o.mustDo(t, "activate_user", map[string]cty.Value{"user": s("kari.nordmann@acme.example")})
	got := [3]string{get(out, "previous_status"), get(out, "status"), get(out, "changed")}
	if want := [3]string{"STAGED", "PROVISIONED", "false"}; got != want {
		t.Errorf("(previous, status, changed) = %v, want %v", got, want)
	}
}

func TestActivateReturnsLinkWithoutEmail(t *testing.T) {
	o := newOrg(t, nil)
	out := o.mustDo(t, "activate_user", map[string]cty.Value{"user": s("kari.nordmann@acme.example")})
	if get(out, "activation_token") == "" || get(out, "activation_url") == "" {
		t.Errorf("send_email=false: no activation link in %s", out.GoString())
	}
}

func TestAPICall(t *testing.T) {
	o := newOrg(t, nil)
	out := o.mustDo(t, "api_call", map[string]cty.Value{
		"path": s("/api/v1/users"), "query": cty.MapVal(map[string]cty.Value{"filter": s(`profile.firstName eq "Erik"`)}),
	})
	if get(out, "status") != "200" || !strings.Contains(get(out, "headers", "Content-Type"), "application/json") {
		t.Fatalf("api_call = %s", out.GoString())
	}
	body := out.GetAttr("body")
	if body.LengthInt() != 1 || get(body.Index(cty.NumberIntVal(0)), "profile", "login") != "erik.berg@acme.example" {
		t.Errorf("body = %s", body.GoString())
	}
	erik, _ := o.emu.User("erik.berg@acme.example")
	out = o.mustDo(t, "api_call", map[string]cty.Value{
		"method": s("POST"), "path": s("/api/v1/users/" + erik.ID),
		"body": cty.ObjectVal(map[string]cty.Value{"profile": cty.ObjectVal(map[string]cty.Value{"title": s("CFO")})}),
	})
	if get(out, "body", "profile", "title") != "CFO" {
		t.Errorf("POST body = %s", out.GetAttr("body").GoString())
	}
	_, err := o.do(t, "api_call", map[string]cty.Value{"path": s("/api/v1/users/nobody@acme.example")})
	if ce := asError(t, err); ce.Kind != connector.NotFound || ce.Code != "E0000007" || ce.Op != "okta.api_call" {
		t.Errorf("404: %v (kind %v), want NotFound E0000007", err, ce.Kind)
	}
	for _, bad := range []string{"api/v1/users", "//evil.example/x", "@evil.example/api/v1/users"} {
		_, err := o.do(t, "api_call", map[string]cty.Value{"path": s(bad)})
		if connector.KindOf(err) != connector.Invalid {
			t.Errorf("path %q: %v, want Invalid", bad, err)
		}
	}
}

// Okta answers 403 E0000038 to a transition the user's status forbids:
// that is a conflict with the user's state, not a permission problem.
func TestLifecycleWrongStatusIsConflict(t *testing.T) {
	o := newOrg(t, nil)
	_, err := o.do(t, "activate_user", map[string]cty.Value{"user": s("sven.suspended@acme.example")})
	if ce := asError(t, err); ce.Kind != connector.Conflict || ce.Code != "E0000038" || ce.Status != 403 {
		t.Errorf("activate SUSPENDED: %v (kind %v), want Conflict E0000038", err, ce.Kind)
	}
	_, err = o.do(t, "suspend_user", map[string]cty.Value{"user": s("kari.nordmann@acme.example")})
	if ce := asError(t, err); ce.Kind != connector.Invalid || ce.Code != "E0000001" {
		t.Errorf("suspend STAGED: %v (kind %v), want Invalid E0000001", err, ce.Kind)
	}
}
