package okta_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine/connector"
)

func profileVal(login, first, last string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"login": s(login), "email": s(login), "firstName": s(first), "lastName": s(last)})
}

func TestCreateUser(t *testing.T) {
	o := newOrg(t, nil)
	in := map[string]cty.Value{
		"profile":  profileVal("ada@acme.example", "Ada", "Lovelace"),
		"password": s("Correct-Horse-9"),
		"groups":   cty.ListVal([]cty.Value{s("Finance"), s("VPN Users")}),
	}
	out := o.mustDo(t, "create_user", in)
	if get(out, "changed") != "true" || get(out, "status") != "ACTIVE" || get(out, "login") != "ada@acme.example" {
		t.Fatalf("create_user = %s", out.GoString())
	}
	var names []string
	for _, g := range o.emu.UserGroups("ada@acme.example") {
		names = append(names, g.Profile.Name)
	}
	if strings.Join(names, ",") != "Everyone,Finance,VPN Users" {
		t.Errorf("groups = %v", names)
	}
	// A retried card finds the user and creates no second one.
	before := len(o.emu.Users())
	again := o.mustDo(t, "create_user", in)
	if get(again, "changed") != "false" || get(again, "id") != get(out, "id") || len(o.emu.Users()) != before {
		t.Errorf("create again = %s, %d users (was %d)", again.GoString(), len(o.emu.Users()), before)
	}
	staged := o.mustDo(t, "create_user", map[string]cty.Value{
		"profile": profileVal("grace@acme.example", "Grace", "Hopper"), "activate": cty.False})
	if get(staged, "status") != "STAGED" {
		t.Errorf("activate = false: status %s", get(staged, "status"))
	}
	_, err := o.do(t, "create_user", map[string]cty.Value{"profile": profileVal("x@acme.example", "X", "Y"),
		"groups": cty.ListVal([]cty.Value{s("No Such Group")})})
	if connector.KindOf(err) != connector.NotFound {
		t.Errorf("unknown group: %v, want NotFound", err)
	}
	_, err = o.do(t, "create_user", map[string]cty.Value{"profile": cty.ObjectVal(map[string]cty.Value{
		"login": s("bad@acme.example"), "email": s("bad@acme.example")})})
	if ce := asError(t, err); ce.Kind != connector.Invalid || ce.Code != "E0000001" {
		t.Errorf("missing names: %v (kind %v code %s), want Invalid E0000001", err, ce.Kind, ce.Code)
	}
}

func TestUpdateAndReplaceUser(t *testing.T) {
	o := newOrg(t, nil)
	out := o.mustDo(t, "update_user", map[string]cty.Value{"user": s("erik.berg@acme.example"),
		"profile": cty.ObjectVal(map[string]cty.Value{"title": s("CFO")})})
	if get(out, "profile", "title") != "CFO" || get(out, "profile", "department") != "Finance" {
		t.Errorf("update_user = %s", out.GoString())
	}
	out = o.mustDo(t, "replace_user", map[string]cty.Value{"user": s("erik.berg@acme.example"),
		"profile": profileVal("erik.berg@acme.example", "Erik", "Berg-Lund")})
	if get(out, "last_name") != "Berg-Lund" || get(out, "profile", "department") != "" || get(out, "profile", "title") != "" {
		t.Errorf("replace_user kept attributes it should clear: %s", out.GoString())
	}
}

func TestDeleteUser(t *testing.T) {
	o := newOrg(t, nil)
	out := o.mustDo(t, "delete_user", map[string]cty.Value{"user": s("erik.berg@acme.example")})
	if get(out, "changed") != "true" {
		t.Fatalf("delete_user = %s", out.GoString())
	}
	if _, ok := o.emu.User("erik.berg@acme.example"); ok {
		t.Fatal("the ACTIVE user was not deleted (deactivate, then delete)")
	}
	out = o.mustDo(t, "delete_user", map[string]cty.Value{"user": s("erik.berg@acme.example")})
	if get(out, "changed") != "false" {
		t.Errorf("deleting again = %s, want changed = false", out.GoString())
	}
}

func TestPasswordsSessionsFactors(t *testing.T) {
	o := newOrg(t, nil)
	erik := map[string]cty.Value{"user": s("erik.berg@acme.example")}
	out := o.mustDo(t, "expire_password", erik)
	if get(out, "status") != "PASSWORD_EXPIRED" || get(out, "changed") != "true" {
		t.Errorf("expire_password = %s", out.GoString())
	}
	if out := o.mustDo(t, "expire_password", erik); get(out, "changed") != "false" {
		t.Errorf("expire again = %s", out.GoString())
	}
	out = o.mustDo(t, "reset_password", erik)
	if get(out, "status") != "RECOVERY" || !strings.Contains(get(out, "reset_password_url"), "/reset_password/") {
		t.Errorf("reset_password = %s", out.GoString())
	}
	before := len(o.emu.LogEvents())
	o.mustDo(t, "clear_user_sessions", erik)
	o.mustDo(t, "reset_factors", erik)
	evs := o.emu.LogEvents()[before:]
	if len(evs) != 2 || evs[0].EventType != "user.session.clear" || evs[1].EventType != "user.mfa.factor.reset_all" {
		t.Errorf("events = %v", evs)
	}
	_, err := o.do(t, "reset_password", map[string]cty.Value{"user": s("kari.nordmann@acme.example")})
	if ce := asError(t, err); ce.Kind != connector.Conflict || ce.Code != "E0000038" {
		t.Errorf("reset_password of a STAGED user: %v, want Conflict E0000038", err)
	}
}

func TestUnlockUser(t *testing.T) {
	o := newOrg(t, nil)
	if err := o.emu.Seed(emulator.Seed{Users: []emulator.SeedUser{{Status: "LOCKED_OUT",
		Profile: map[string]any{"login": "lo@acme.example", "email": "lo@acme.example", "firstName": "L", "lastName": "O"}}}}); err != nil {
		t.Fatal(err)
	}
	out := o.mustDo(t, "unlock_user", map[string]cty.Value{"user": s("lo@acme.example")})
	if get(out, "status") != "ACTIVE" || get(out, "changed") != "true" || get(out, "previous_status") != "LOCKED_OUT" {
		t.Errorf("unlock_user = %s", out.GoString())
	}
	if out := o.mustDo(t, "unlock_user", map[string]cty.Value{"user": s("lo@acme.example")}); get(out, "changed") != "false" {
		t.Errorf("unlock again = %s", out.GoString())
	}
}

func TestGroupActions(t *testing.T) {
	o := newOrg(t, nil)
	g := o.mustDo(t, "create_group", map[string]cty.Value{"name": s("Contractors"), "description": s("External staff")})
	if get(g, "changed") != "true" || get(g, "type") != "OKTA_GROUP" {
		t.Fatalf("create_group = %s", g.GoString())
	}
	if again := o.mustDo(t, "create_group", map[string]cty.Value{"name": s("Contractors")}); get(again, "changed") != "false" || get(again, "id") != get(g, "id") {
		t.Errorf("create again = %s", again.GoString())
	}
	read := o.mustDo(t, "read_group", map[string]cty.Value{"group": s(get(g, "id"))})
	if get(read, "name") != "Contractors" || get(read, "description") != "External staff" {
		t.Errorf("read_group = %s", read.GoString())
	}
	upd := o.mustDo(t, "update_group", map[string]cty.Value{"group": s("Contractors"), "description": s("Vendors")})
	if get(upd, "name") != "Contractors" || get(upd, "description") != "Vendors" || get(upd, "changed") != "true" {
		t.Errorf("update_group = %s", upd.GoString())
	}
	_, err := o.do(t, "update_group", map[string]cty.Value{"group": s("Everyone"), "name": s("All")})
	if ce := asError(t, err); ce.Code != "E0000006" || ce.Kind != connector.Permission {
		t.Errorf("update Everyone: %v (kind %v), want Permission E0000006", err, ce.Kind)
	}
	found := o.mustDo(t, "search_groups", map[string]cty.Value{"query": s("VPN")})
	if get(found, "count") != "2" {
		t.Errorf("search_groups q=VPN = %s", found.GoString())
	}
	found = o.mustDo(t, "search_groups", map[string]cty.Value{"search": s(`type eq "BUILT_IN"`)})
	if get(found, "count") != "1" || get(found.GetAttr("groups").Index(cty.NumberIntVal(0)), "name") != "Everyone" {
		t.Errorf("search_groups BUILT_IN = %s", found.GoString())
	}
	members := o.mustDo(t, "list_group_members", map[string]cty.Value{"group": s("Finance")})
	if get(members, "count") != "1" || get(members.GetAttr("users").Index(cty.NumberIntVal(0)), "login") != "erik.berg@acme.example" {
		t.Errorf("list_group_members = %s", members.GoString())
	}
	del := o.mustDo(t, "delete_group", map[string]cty.Value{"group": s("Contractors")})
	if get(del, "changed") != "true" {
		t.Errorf("delete_group = %s", del.GoString())
	}
	if _, ok := o.emu.Group("Contractors"); ok {
		t.Error("group still there")
	}
	if del := o.mustDo(t, "delete_group", map[string]cty.Value{"group": s("Contractors")}); get(del, "changed") != "false" {
		t.Errorf("delete again = %s", del.GoString())
	}
}

// TestListActionsFollowPages checks that list actions page through Link
// rel="next" to the end and stop at limit.
func TestListActionsFollowPages(t *testing.T) {
	o := newOrg(t, nil)
	for i := range 1203 {
		if _, err := o.emu.CreateUser(map[string]any{"login": fmt.Sprintf("p%04d@acme.example", i),
			"email": fmt.Sprintf("p%04d@acme.example", i), "firstName": "P", "lastName": "Q"}, true); err != nil {
			t.Fatal(err)
		}
	}
	before := o.emu.Requests()
	out := o.mustDo(t, "list_group_members", map[string]cty.Value{"group": s("Everyone"), "limit": cty.NumberIntVal(10000)})
	if get(out, "count") != "1206" {
		t.Errorf("Everyone has %s members listed, want 1206", get(out, "count"))
	}
	// One lookup of the group by name, then 2 pages of 1000.
	if reqs := o.emu.Requests() - before; reqs != 3 {
		t.Errorf("%d requests, want 3", reqs)
	}
	out = o.mustDo(t, "list_group_members", map[string]cty.Value{"group": s("Everyone"), "limit": cty.NumberIntVal(5)})
	if get(out, "count") != "5" {
		t.Errorf("limit 5: %s", get(out, "count"))
	}
	logs := o.mustDo(t, "search_system_log", map[string]cty.Value{"filter": s(`eventType eq "user.lifecycle.create"`),
		"since": s("1h"), "limit": cty.NumberIntVal(1100)})
	if get(logs, "count") != "1100" || get(logs.GetAttr("events").Index(cty.NumberIntVal(0)), "eventType") != "user.lifecycle.create" {
		t.Errorf("search_system_log count %s", get(logs, "count"))
	}
}

func TestAppActions(t *testing.T) {
	o := newOrg(t, nil)
	app := o.mustDo(t, "read_app", map[string]cty.Value{"app": s("Slack")})
	if get(app, "name") != "slack" || get(app, "status") != "ACTIVE" {
		t.Errorf("read_app = %s", app.GoString())
	}
	found := o.mustDo(t, "search_apps", map[string]cty.Value{"query": s("Sales")})
	if get(found, "count") != "2" {
		t.Errorf("search_apps = %s", found.GoString())
	}
	in := map[string]cty.Value{"app": s("Zoom"), "group": s("Finance")}
	for i, want := range []string{"true", "false"} {
		if out := o.mustDo(t, "assign_group_to_app", in); get(out, "changed") != want || get(out, "group_name") != "Finance" {
			t.Errorf("assign #%d = %s", i+1, out.GoString())
		}
	}
	groups := o.mustDo(t, "list_app_groups", map[string]cty.Value{"app": s("Zoom")})
	if get(groups, "count") != "1" {
		t.Errorf("list_app_groups = %s", groups.GoString())
	}
	users := o.mustDo(t, "list_app_users", map[string]cty.Value{"app": s("Zoom")})
	if get(users, "count") != "1" || get(users.GetAttr("users").Index(cty.NumberIntVal(0)), "scope") != "GROUP" {
		t.Errorf("list_app_users = %s", users.GoString())
	}
	mine := o.mustDo(t, "list_user_apps", map[string]cty.Value{"user": s("erik.berg@acme.example")})
	var labels []string
	for _, a := range mine.GetAttr("apps").AsValueSlice() {
		labels = append(labels, get(a, "label"))
	}
	if strings.Join(labels, ",") != "Slack,Zoom" {
		t.Errorf("list_user_apps = %v", labels)
	}
	for i, want := range []string{"true", "false"} {
		if out := o.mustDo(t, "remove_group_from_app", in); get(out, "changed") != want {
			t.Errorf("remove #%d = %s", i+1, out.GoString())
		}
	}
	_, err := o.do(t, "read_app", map[string]cty.Value{"app": s("Nope")})
	if connector.KindOf(err) != connector.NotFound {
		t.Errorf("read_app Nope: %v", err)
	}
}
