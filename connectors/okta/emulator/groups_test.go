package emulator_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

func seededOrg(t *testing.T) *org {
	t.Helper()
	o := newOrg(t, emulator.Options{})
	seed, err := emulator.LoadSeed("testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := o.emu.Seed(seed); err != nil {
		t.Fatal(err)
	}
	return o
}

func groupNames(gs []*okta.Group) []string {
	out := []string{}
	for _, g := range gs {
		out = append(out, g.Profile.Name)
	}
	return out
}

func TestListGroups(t *testing.T) {
	o := seededOrg(t)
	tests := []struct {
		name string
		qp   *query.Params
		want []string
	}{
		{"all", nil, []string{"Everyone", "Employees", "Finance", "VPN Users", "Engineering"}},
		{"q is startsWith", query.NewQueryParams(query.WithQ("E")), []string{"Everyone", "Employees", "Engineering"}},
		{"q is case-insensitive", query.NewQueryParams(query.WithQ("vpn")), []string{"VPN Users"}},
		{"q exact name still a prefix match", query.NewQueryParams(query.WithQ("Fin")), []string{"Finance"}},
		{"search eq", query.NewQueryParams(query.WithSearch(`profile.name eq "VPN Users"`)), []string{"VPN Users"}},
		{"search sw", query.NewQueryParams(query.WithSearch(`profile.name sw "Eng"`)), []string{"Engineering"}},
		{"filter type", query.NewQueryParams(query.WithFilter(`type eq "OKTA_GROUP"`), query.WithLimit(1)), []string{"Employees"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gs, _, err := o.client.Group.ListGroups(o.ctx, tt.qp)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, groupNames(gs)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	// q results are not paged: no next link even with a small limit.
	_, resp, err := o.client.Group.ListGroups(o.ctx, query.NewQueryParams(query.WithQ("E"), query.WithLimit(1)))
	if err != nil || resp.HasNextPage() {
		t.Errorf("q with limit: next=%v err=%v, want no next page", resp.HasNextPage(), err)
	}
	// Plain lists page.
	gs, resp, err := o.client.Group.ListGroups(o.ctx, query.NewQueryParams(query.WithLimit(3)))
	if err != nil || len(gs) != 3 || !resp.HasNextPage() {
		t.Fatalf("limit 3: %d groups, next=%v, err=%v", len(gs), resp.HasNextPage(), err)
	}
	var rest []*okta.Group
	if _, err := resp.Next(o.ctx, &rest); err != nil || len(rest) != 2 {
		t.Errorf("second page: %d groups, err=%v", len(rest), err)
	}
	_, resp, err = o.client.Group.ListGroups(o.ctx, query.NewQueryParams(query.WithSearch(`profile.name xx "a"`)))
	wantOktaError(t, resp, err, http.StatusBadRequest, "E0000031")
}

func TestGroupMembership(t *testing.T) {
	o := seededOrg(t)
	u := o.createUser(t, "new.hire@acme.example", false)
	fin, _ := o.emu.Group("Finance")
	before := len(o.emu.LogEvents())

	for i := range 2 {
		resp, err := o.client.Group.AddUserToGroup(o.ctx, fin.ID, u.Id)
		if err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("add #%d: %v %v", i+1, resp, err)
		}
	}
	members, _, err := o.client.Group.ListGroupUsers(o.ctx, fin.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"erik.berg@acme.example", "new.hire@acme.example"}, logins(members)); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	if got := len(o.emu.LogEvents()) - before; got != 1 {
		t.Errorf("adding twice logged %d events, want 1", got)
	}
	groups, _, err := o.client.User.ListUserGroups(o.ctx, u.Id)
	if diff := cmp.Diff([]string{"Everyone", "Finance"}, groupNames(groups)); err != nil || diff != "" {
		t.Errorf("user groups (-want +got): %s, %v", diff, err)
	}
	for i := range 2 {
		resp, err := o.client.Group.RemoveUserFromGroup(o.ctx, fin.ID, u.Id)
		if err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("remove #%d: %v %v", i+1, resp, err)
		}
	}
	if got := o.emu.UserGroups(u.Id); len(got) != 1 || got[0].Type != "BUILT_IN" {
		t.Errorf("after remove: %v, want only Everyone", got)
	}
	resp, err := o.client.Group.AddUserToGroup(o.ctx, "00gmissing", u.Id)
	wantOktaError(t, resp, err, http.StatusNotFound, "E0000007")
}

func TestGroupTypesAndCreate(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	if err := o.emu.Seed(emulator.Seed{Groups: []emulator.SeedGroup{
		{Name: "Everyone", Type: "BUILT_IN"}, {Name: "AD Staff", Type: "APP_GROUP"},
	}}); err != nil {
		t.Fatal(err)
	}
	u := o.createUser(t, "x@x.com", true)
	for _, name := range []string{"Everyone", "AD Staff"} {
		g, _ := o.emu.Group(name)
		resp, err := o.client.Group.AddUserToGroup(o.ctx, g.ID, u.Id)
		wantOktaError(t, resp, err, http.StatusForbidden, "E0000006")
	}
	g, _, err := o.client.Group.CreateGroup(o.ctx, okta.Group{Profile: &okta.GroupProfile{Name: "Contractors", Description: "c"}})
	if err != nil {
		t.Fatal(err)
	}
	if g.Type != "OKTA_GROUP" || len(g.Id) != 20 || g.ObjectClass[0] != "okta:user_group" {
		t.Errorf("created group = %+v", g)
	}
	_, resp, err := o.client.Group.CreateGroup(o.ctx, okta.Group{Profile: &okta.GroupProfile{Name: "Contractors"}})
	wantOktaError(t, resp, err, http.StatusBadRequest, "E0000001")
	if resp, err := o.client.Group.DeleteGroup(o.ctx, g.Id); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Errorf("delete: %v %v", resp, err)
	}
}

func logins(us []*okta.User) []string {
	out := []string{}
	for _, u := range us {
		out = append(out, (*u.Profile)["login"].(string))
	}
	return out
}

// TestEveryoneGroup checks the built-in group as Okta has it: one per org,
// type BUILT_IN, every user a member from creation on, and its profile,
// existence and membership refused to change with E0000006.
func TestEveryoneGroup(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	u := o.createUser(t, "new.hire@x.com", false)
	gs, _, err := o.client.Group.ListGroups(o.ctx, query.NewQueryParams(query.WithQ("Everyone")))
	if err != nil || len(gs) != 1 {
		t.Fatalf("Everyone: %v %v", groupNames(gs), err)
	}
	every := gs[0]
	if every.Type != "BUILT_IN" || every.Profile.Description != "All users in your organization" || len(every.Id) != 20 {
		t.Errorf("Everyone = %+v", every)
	}
	groups, _, err := o.client.User.ListUserGroups(o.ctx, u.Id)
	if err != nil || len(groups) != 1 || groups[0].Id != every.Id {
		t.Errorf("a new user's groups = %v, %v, want [Everyone]", groupNames(groups), err)
	}
	members, _, err := o.client.Group.ListGroupUsers(o.ctx, every.Id, nil)
	if err != nil || len(members) != 1 || members[0].Id != u.Id {
		t.Errorf("Everyone's members = %v, %v", logins(members), err)
	}
	resp, err := o.client.Group.RemoveUserFromGroup(o.ctx, every.Id, u.Id)
	wantOktaError(t, resp, err, http.StatusForbidden, "E0000006")
	_, resp, err = o.client.Group.UpdateGroup(o.ctx, every.Id, okta.Group{Profile: &okta.GroupProfile{Name: "All"}})
	wantOktaError(t, resp, err, http.StatusForbidden, "E0000006")
	resp, err = o.client.Group.DeleteGroup(o.ctx, every.Id)
	wantOktaError(t, resp, err, http.StatusForbidden, "E0000006")
	if g, ok := o.emu.Group("Everyone"); !ok || g.Profile.Name != "Everyone" {
		t.Errorf("Everyone changed: %+v", g)
	}
	// A seed copied from a real org lists Everyone: it names the one group.
	if err := o.emu.Seed(emulator.Seed{Groups: []emulator.SeedGroup{{ID: "00gEveryone000000001", Name: "Everyone", Type: "BUILT_IN"}},
		Users: []emulator.SeedUser{{ID: "00useeded00000000001", Profile: map[string]any{"login": "s@x.com", "email": "s@x.com", "firstName": "S", "lastName": "X"}}}}); err != nil {
		t.Fatal(err)
	}
	gs, _, _ = o.client.Group.ListGroups(o.ctx, query.NewQueryParams(query.WithQ("Everyone")))
	if len(gs) != 1 || gs[0].Id != "00gEveryone000000001" {
		t.Errorf("after seeding Everyone: %v", gs)
	}
	members, _, _ = o.client.Group.ListGroupUsers(o.ctx, "00gEveryone000000001", nil)
	if len(members) != 2 {
		t.Errorf("Everyone after seed has %d members, want 2", len(members))
	}
}
