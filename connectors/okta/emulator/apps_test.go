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
	// A bookmark needs its URL, as in Okta.
	_, resp, err := o.client.Application.CreateApplication(o.ctx, app, nil)
	wantOktaError(t, resp, err, http.StatusBadRequest, "E0000001")
	app.Settings = &okta.BookmarkApplicationSettings{App: &okta.BookmarkApplicationSettingsApplication{Url: "https://wiki.example"}}
	created, _, err = o.client.Application.CreateApplication(o.ctx, app, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := created.(*okta.BookmarkApplication).Id
	got, _, err := o.client.Application.GetApplication(o.ctx, id, okta.NewBookmarkApplication(), nil)
	if err != nil || got.(*okta.BookmarkApplication).Label != "Wiki" || got.(*okta.BookmarkApplication).Status != "ACTIVE" {
		t.Fatalf("GetApplication = %+v, %v", got, err)
	}
	resp, err = o.client.Application.DeleteApplication(o.ctx, id)
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

// TestAppTemplatesEchoSettings checks what Okta fills in and echoes for the
// catalog templates the SDK creates: the template's label when none is
// given, the settings.app sent, and a credentials block.
func TestAppTemplatesEchoSettings(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	basic := okta.NewBasicAuthApplication()
	basic.Settings = &okta.BasicApplicationSettings{App: &okta.BasicApplicationSettingsApplication{
		AuthURL: "https://example.com/auth.html", Url: "https://example.com/login.html"}}
	created, _, err := o.client.Application.CreateApplication(o.ctx, basic, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := created.(*okta.BasicAuthApplication)
	if b.Label != "Template Basic Auth App" || b.SignOnMode != "BASIC_AUTH" {
		t.Errorf("label %q, signOnMode %q", b.Label, b.SignOnMode)
	}
	if b.Settings == nil || b.Settings.App == nil || b.Settings.App.AuthURL != "https://example.com/auth.html" ||
		b.Settings.App.Url != "https://example.com/login.html" {
		t.Fatalf("settings = %+v", b.Settings)
	}
	if b.Credentials == nil || b.Credentials.Scheme != "EDIT_USERNAME_AND_PASSWORD" ||
		b.Credentials.UserNameTemplate == nil || b.Credentials.UserNameTemplate.Template != "${source.login}" {
		t.Errorf("credentials = %+v", b.Credentials)
	}
	// The raw answer carries the settings block other SDKs parse.
	raw := getJSON(t, o, "/api/v1/apps/"+b.Id)
	settings, _ := raw["settings"].(map[string]any)
	if _, ok := settings["notifications"]; !ok || settings["app"] == nil {
		t.Errorf("raw settings = %v", raw["settings"])
	}
	// PUT changes the settings and keeps what it does not name.
	upd := okta.NewBasicAuthApplication()
	upd.Settings = &okta.BasicApplicationSettings{App: &okta.BasicApplicationSettingsApplication{
		AuthURL: "https://example.org/auth.html", Url: "https://example.org/login.html"}}
	updated, _, err := o.client.Application.UpdateApplication(o.ctx, b.Id, upd)
	if err != nil {
		t.Fatal(err)
	}
	if u := updated.(*okta.BasicAuthApplication); u.Settings.App.Url != "https://example.org/login.html" || u.Label != "Template Basic Auth App" {
		t.Errorf("updated = %+v %+v", u, u.Settings.App)
	}

	bm := okta.NewBookmarkApplication()
	bm.Settings = &okta.BookmarkApplicationSettings{App: &okta.BookmarkApplicationSettingsApplication{
		RequestIntegration: new(bool), Url: "https://example.com/bookmark.htm"}}
	got, _, err := o.client.Application.CreateApplication(o.ctx, bm, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g := got.(*okta.BookmarkApplication); g.Label != "Bookmark App" || g.Settings == nil || g.Settings.App.Url != "https://example.com/bookmark.htm" ||
		g.Credentials == nil || g.Credentials.UserNameTemplate == nil {
		t.Errorf("bookmark = %+v", g)
	}
}

// TestAppGroupAssignments checks /apps/{id}/groups: assigning a group gives
// its members the app with scope GROUP, and removing it takes it away.
func TestAppGroupAssignments(t *testing.T) {
	o := seededOrg(t)
	u := o.createUser(t, "new.hire@acme.example", true)
	gh, _ := o.emu.App("GitHub")
	fin, _ := o.emu.Group("Finance")
	if _, err := o.client.Group.AddUserToGroup(o.ctx, fin.ID, u.Id); err != nil {
		t.Fatal(err)
	}
	ag, _, err := o.client.Application.CreateApplicationGroupAssignment(o.ctx, gh.ID, fin.ID, okta.ApplicationGroupAssignment{})
	if err != nil || ag.Id != fin.ID {
		t.Fatalf("assign group: %+v %v", ag, err)
	}
	list, _, err := o.client.Application.ListApplicationGroupAssignments(o.ctx, gh.ID, nil)
	if err != nil || len(list) != 1 || list[0].Id != fin.ID {
		t.Errorf("app groups = %v %v", list, err)
	}
	au, _, err := o.client.Application.GetApplicationUser(o.ctx, gh.ID, u.Id, nil)
	if err != nil || au.Scope != "GROUP" {
		t.Errorf("app user through the group = %+v %v", au, err)
	}
	apps, _, err := o.client.Application.ListApplications(o.ctx, query.NewQueryParams(query.WithFilter(`user.id eq "`+u.Id+`"`)))
	if err != nil || len(apps) != 1 || apps[0].(*okta.Application).Id != gh.ID {
		t.Errorf("apps of the user = %v %v", apps, err)
	}
	if resp, err := o.client.Application.DeleteApplicationGroupAssignment(o.ctx, gh.ID, fin.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("remove group: %v %v", resp, err)
	}
	_, resp, err := o.client.Application.GetApplicationUser(o.ctx, gh.ID, u.Id, nil)
	wantOktaError(t, resp, err, http.StatusNotFound, "E0000007")
	resp, err = o.client.Application.DeleteApplicationGroupAssignment(o.ctx, gh.ID, fin.ID)
	wantOktaError(t, resp, err, http.StatusNotFound, "E0000007")
}
