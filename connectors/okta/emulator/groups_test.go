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
		{"all", nil, []string{"Employees", "Finance", "VPN Users", "Engineering"}},
		{"q is startsWith", query.NewQueryParams(query.WithQ("E")), []string{"Employees", "Engineering"}},
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
	if _, err := resp.Next(o.ctx, &rest); err != nil || len(rest) != 1 {
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
	if err != nil || len(groups) != 1 || groups[0].Profile.Name != "Finance" {
		t.Errorf("user groups = %v, %v", groupNames(groups), err)
	}
	for i := range 2 {
		resp, err := o.client.Group.RemoveUserFromGroup(o.ctx, fin.ID, u.Id)
		if err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("remove #%d: %v %v", i+1, resp, err)
		}
	}
	if got := o.emu.UserGroups(u.Id); len(got) != 0 {
		t.Errorf("after remove: %v", got)
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
