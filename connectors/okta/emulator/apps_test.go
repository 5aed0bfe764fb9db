package emulator_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

func TestListApplications(t *testing.T) {
	o := seededOrg(t)
	labels := func(apps []okta.App) []string {
		out := []string{}
		for _, a := range apps {
			out = append(out, a.(*okta.Application).Label)
		}
		return out
	}
	tests := []struct {
		name string
		qp   *query.Params
		want []string
	}{
		{"all", nil, []string{"Slack", "Zoom", "Salesforce", "GitHub"}},
		{"q on label", query.NewQueryParams(query.WithQ("Git")), []string{"GitHub"}},
		{"q on name", query.NewQueryParams(query.WithQ("zoomus")), []string{"Zoom"}},
		{"q on label or name", query.NewQueryParams(query.WithQ("s")), []string{"Slack", "Salesforce"}},
		{"filter status", query.NewQueryParams(query.WithFilter(`status eq "ACTIVE"`)), []string{"Slack", "Zoom", "Salesforce", "GitHub"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			apps, _, err := o.client.Application.ListApplications(o.ctx, tt.qp)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, labels(apps)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAppLifecycleAndGet(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	created, _, err := o.client.Application.CreateApplication(o.ctx, okta.NewBookmarkApplication(), nil)
	if err == nil {
		t.Fatalf("create without label succeeded: %+v", created)
	}
	app := okta.NewBookmarkApplication()
	app.Label = "Wiki"
	created, _, err = o.client.Application.CreateApplication(o.ctx, app, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := created.(*okta.BookmarkApplication).Id
	got, _, err := o.client.Application.GetApplication(o.ctx, id, okta.NewBookmarkApplication(), nil)
	if err != nil || got.(*okta.BookmarkApplication).Label != "Wiki" || got.(*okta.BookmarkApplication).Status != "ACTIVE" {
		t.Fatalf("GetApplication = %+v, %v", got, err)
	}
	resp, err := o.client.Application.DeleteApplication(o.ctx, id)
	wantOktaError(t, resp, err, http.StatusForbidden, "E0000056")
	if _, err := o.client.Application.DeactivateApplication(o.ctx, id); err != nil {
		t.Fatal(err)
	}
	if resp, err := o.client.Application.DeleteApplication(o.ctx, id); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete inactive: %v %v", resp, err)
	}
	_, resp, err = o.client.Application.GetApplication(o.ctx, id, okta.NewApplication(), nil)
	wantOktaError(t, resp, err, http.StatusNotFound, "E0000007")
}

func TestAssignUserToApplication(t *testing.T) {
	o := seededOrg(t)
	u := o.createUser(t, "new.hire@acme.example", true)
	gh, _ := o.emu.App("GitHub")

	first, resp, err := o.client.Application.AssignUserToApplication(o.ctx, gh.ID, okta.AppUser{Id: u.Id})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("assign: %v %v", resp, err)
	}
	if first.Id != u.Id || first.Scope != "USER" || first.Credentials.UserName != "new.hire@acme.example" {
		t.Errorf("app user = %+v", first)
	}
	again, resp, err := o.client.Application.AssignUserToApplication(o.ctx, gh.ID, okta.AppUser{Id: u.Id})
	if err != nil || resp.StatusCode != http.StatusOK || !again.Created.Equal(*first.Created) {
		t.Errorf("assign again: %v %v, created %v vs %v", resp, err, again.Created, first.Created)
	}
	appUsers, _, err := o.client.Application.ListApplicationUsers(o.ctx, gh.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, au := range appUsers {
		got = append(got, au.Id)
	}
	sofie, _ := o.emu.User("sofie.lund@acme.example")
	if diff := cmp.Diff([]string{sofie.ID, u.Id}, got); diff != "" {
		t.Errorf("app users (-want +got):\n%s", diff)
	}
	if n := len(o.emu.AppUsers("GitHub")); n != 2 {
		t.Errorf("AppUsers(GitHub) = %d users, want 2", n)
	}
	if _, _, err := o.client.Application.GetApplicationUser(o.ctx, gh.ID, u.Id, nil); err != nil {
		t.Errorf("GetApplicationUser: %v", err)
	}
	if resp, err := o.client.Application.DeleteApplicationUser(o.ctx, gh.ID, u.Id, nil); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Errorf("DeleteApplicationUser: %v %v", resp, err)
	}
	_, resp, err = o.client.Application.GetApplicationUser(o.ctx, gh.ID, u.Id, nil)
	wantOktaError(t, resp, err, http.StatusNotFound, "E0000007")
	_, resp, err = o.client.Application.AssignUserToApplication(o.ctx, gh.ID, okta.AppUser{})
	wantOktaError(t, resp, err, http.StatusBadRequest, "E0000001")
	_, resp, err = o.client.Application.AssignUserToApplication(o.ctx, gh.ID, okta.AppUser{Id: "00umissing"})
	wantOktaError(t, resp, err, http.StatusNotFound, "E0000007")
}
