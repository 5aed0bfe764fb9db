package importer_test

import (
	"os"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
)

// TestImportOktaApps checks what okta-apps.flopack's cards become: Reset
// Password, Delete User, Clear User Sessions, the app cards, and List
// Group Members, Search System Logs and List Users Assigned to Application
// in Stream Records mode, as the templates use them.
func TestImportOktaApps(t *testing.T) {
	res := importFile(t, "okta-apps.flopack")
	checkReport(t, "okta-apps", res)
	data, err := os.ReadFile("testdata/import/okta-apps.flopack")
	if err != nil {
		t.Fatal(err)
	}
	checkEveryCard(t, "okta-apps", data, res)
	tests := []struct {
		name, file string
		want       []string
	}{
		{"Reset Password sends the email as the option says", "offboard_app_user.hcl", []string{
			"action     = okta.reset_password\n    connection = connection.okta.main\n    user       = trigger.input.userId\n    send_email = false",
			"action     = okta.reset_password\n    connection = connection.okta.main\n    user       = trigger.input.userId\n    send_email = true",
			"resetUrl     = card.reset_password.reset_password_url", "resetStatus  = 200",
		}},
		{"Delete User's status is Okta's", "offboard_app_user.hcl", []string{
			"action     = okta.delete_user", "deleteStatus = (card.delete_user.changed ? 204 : 404)",
		}},
		{"the app cards read the app from their input or their option", "offboard_app_user.hcl", []string{
			"action     = okta.read_app\n    connection = connection.okta.main\n    app        = trigger.input.appId",
			"action     = okta.list_app_groups\n    connection = connection.okta.main\n    app        = trigger.input.appId",
			"action     = okta.list_app_users\n    connection = connection.okta.main\n    app        = \"0oa1crm\"",
			"action     = okta.assign_user_to_app\n    connection = connection.okta.main\n    user       = trigger.input.userId\n    app        = \"0oa1box\"",
			"appLabel     = card.read_application.label",
			`{ ID = x.id, "Last Updated" = x.last_updated, Priority = x.priority }`,
			`{ "System Properties" = { "User ID" = x.id,`, "Credentials = { Username = x.user_name }",
		}},
		{"Clear User Sessions has its action", "unlock_locked_users_helper.hcl", []string{
			"action     = okta.clear_user_sessions", "user       = trigger.input.Record.Actor.ID",
		}},
		{"List Group Members streams its users", "suspend_group_members.hcl", []string{
			"for_each = card.list_group_members.users", "flow     = flow.suspend_group_members_helper",
			`Record = { ID = each.value.id, Status = each.value.status,`, "groupId = trigger.input.groupId",
		}},
		{"Search System Logs streams its events", "unlock_locked_users.hcl", []string{
			"for_each = card.search_system_logs.events", "flow     = flow.unlock_locked_users_helper",
			`Actor = { ID = each.value.actor.id,`,
		}},
		{"List Users Assigned to Application streams its users", "unassign_app_users.hcl", []string{
			"for_each = card.list_users_assigned_to_application.users", "flow     = flow.unassign_app_users_helper",
			`Record = { "System Properties" = { "User ID" = each.value.id,`, "AppID = trigger.input.appId",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := string(res.Files[tt.file])
			for _, w := range tt.want {
				if !strings.Contains(src, w) {
					t.Errorf("%s lacks %q:\n%s", tt.file, w, src)
				}
			}
		})
	}
	var rep strings.Builder
	res.Report.WriteText(&rep)
	for _, bad := range []string{"has no cardflow action yet", "no flow is called per record", "this build does not have"} {
		if strings.Contains(rep.String(), bad) {
			t.Errorf("the report says %q:\n%s", bad, rep.String())
		}
	}
	for _, w := range []string{
		`the okta card "resetPassword" could not be converted to okta.reset_password`,
		"Convert to Federated User is Yes: okta.reset_password does not convert users",
		"okta.delete_user deactivates and deletes it at once",
		"each record is passed to unassign_app_users_helper by list_users_assigned_to_application_each",
		"each record is passed to suspend_group_members_helper by list_group_members_each",
		"each record is passed to unlock_locked_users_helper by search_system_logs_each",
	} {
		if !strings.Contains(rep.String(), w) {
			t.Errorf("the report lacks %q:\n%s", w, rep.String())
		}
	}
	if c := res.Report.Counts(); c.Placeholder != 1 {
		t.Errorf("%d placeholders, want 1 (the federated reset):\n%s", c.Placeholder, rep.String())
	}
}

// TestImportOktaAppsValidate: every converted card of okta-apps.flopack
// validates; the one error left is the federated reset's placeholder.
func TestImportOktaAppsValidate(t *testing.T) {
	res := importFile(t, "okta-apps.flopack")
	_, _, diags := engine.LoadSources(res.Files, engine.LoadOptions{Registry: registry(), Mode: lang.Check,
		Host: lang.Host{LookupEnv: func(string) (string, bool) { return "", false }}})
	var got []string
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			got = append(got, d.Summary+": "+strings.TrimSpace(string(d.Subject.SliceBytes(res.Files[d.Subject.Filename]))))
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], `okta.resetPassword \"Reset Password Federated\"`) {
		t.Errorf("errors = %q, want only the federated reset's placeholder", got)
	}
}

// TestOktaAppsRun runs the imported flows: the status codes are Okta's,
// and each streaming card calls its helper flow once per record with the
// record in Okta Workflows' field names.
func TestOktaAppsRun(t *testing.T) {
	res := importFile(t, "okta-apps.flopack")
	// The federated reset is a placeholder, which cannot run.
	delete(res.Files, "offboard_app_user.hcl")
	runImported(t, res, `
run "group members are suspended one by one" {
  flow    = flow.suspend_group_members
  trigger = { input = { groupId = "00g1" } }
  mock "okta.list_group_members" {
    output = {
      count = 2
      users = [{ id = "00u1", login = "kari@example.com", status = "ACTIVE" }, { id = "00u2", login = "ola@example.com", status = "ACTIVE" }]
    }
  }
  mock "okta.suspend_user" { output = { changed = true } }
  expect_call "okta.list_group_members" { with = { group = "00g1", limit = 10000 } }
  expect_call "okta.suspend_user" {
    with  = { user = "00u1" }
    count = 1
  }
  expect_call "okta.suspend_user" {
    with  = { user = "00u2" }
    count = 1
  }
  expect_call "card.list_group_members_each" { with = { input = { State = { groupId = "00g1" } } } }
}

run "the actor of each event gets its sessions cleared" {
  flow    = flow.unlock_locked_users
  trigger = { input = {} }
  mock "okta.search_system_log" {
    output = { count = 1, events = [{ uuid = "e1", eventType = "user.account.lock", actor = { id = "00u7", type = "User" }, client = { ipAddress = "192.0.2.7" } }] }
  }
  mock "okta.clear_user_sessions" { output = { user_id = "00u7" } }
  expect_call "okta.search_system_log" { with = { since = "24h", filter = "eventType eq \"user.account.lock\"" } }
  expect_call "okta.clear_user_sessions" {
    with  = { user = "00u7" }
    count = 1
  }
}

run "every app user is unassigned from the app" {
  flow    = flow.unassign_app_users
  trigger = { input = { appId = "0oa1crm" } }
  mock "okta.list_app_users" {
    output = { count = 2, users = [{ id = "00u1", scope = "USER", user_name = "kari" }, { id = "00u2", scope = "GROUP", user_name = "ola" }] }
  }
  mock "okta.remove_user_from_app" { output = { changed = true } }
  expect_call "okta.remove_user_from_app" {
    with  = { user = "00u1", app = "0oa1crm" }
    count = 1
  }
  expect_call "okta.remove_user_from_app" {
    with  = { user = "00u2", app = "0oa1crm" }
    count = 1
  }
}
`)
}

// TestOktaAppsOutputsRun runs the converted cards of Offboard App User
// without the placeholder: Okta's status codes and the reset link reach
// the flow's result.
func TestOktaAppsOutputsRun(t *testing.T) {
	res := importFile(t, "okta-apps.flopack")
	src := string(res.Files["offboard_app_user.hcl"])
	start := strings.Index(src, "  # Not converted from Okta Workflows")
	end := strings.Index(src, `  card "delete_user"`)
	if start < 0 || end < start {
		t.Fatalf("offboard_app_user.hcl has no placeholder before delete_user:\n%s", src)
	}
	res.Files["offboard_app_user.hcl"] = []byte(src[:start] + src[end:])
	runImported(t, res, `
run "the result has Okta's status codes" {
  flow    = flow.offboard_app_user
  trigger = { input = { userId = "00u1", appId = "0oa1crm" } }
  mock "okta.reset_password" { output = { reset_password_url = "https://acme.okta.com/reset/x" } }
  mock "okta.delete_user" { output = { changed = false } }
  mock "okta.read_app" { output = { id = "0oa1crm", label = "CRM" } }
  mock "okta.list_app_groups" { output = { count = 1, groups = [{ id = "00g1", priority = 0, last_updated = "2026-01-02T03:04:05Z" }] } }
  mock "okta.list_app_users" {
    output = { count = 1, users = [{ id = "00u1", scope = "USER", status = "PROVISIONED", user_name = "kari", created = "2026-01-01T00:00:00Z", last_updated = "2026-01-02T00:00:00Z" }] }
  }
  mock "okta.assign_user_to_app" { output = { user_id = "00u1", changed = true } }
  expect_call "okta.delete_user" { with = { user = "00u1", send_email = false } }
  expect_call "okta.reset_password" {
    with  = { user = "00u1", send_email = true }
    count = 1
  }
  expect_call "card.return" {
    with = { result = {
      resetUrl     = "https://acme.okta.com/reset/x"
      resetStatus  = 200
      deleteStatus = 404
      appLabel     = "CRM"
      groups       = [{ ID = "00g1", Priority = 0, "Last Updated" = "2026-01-02T03:04:05Z" }]
      users = [{ "System Properties" = {
        "User ID" = "00u1", Scope = "USER", Status = "PROVISIONED", Credentials = { Username = "kari" },
        Created = "2026-01-01T00:00:00Z", "Last Updated" = "2026-01-02T00:00:00Z"
      } }]
      assigned     = "00u1"
    } }
  }
}
`)
}
