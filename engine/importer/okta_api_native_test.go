package importer_test

import (
	"os"
	"strings"
	"testing"
)

// oktaAPISeed is the Okta emulator's directory for TestOktaAPINative.
const oktaAPISeed = `{"okta": {
  "groups": [{"id": "00g3employees", "name": "Employees", "description": "Everyone employed by Acme"}],
  "apps":   [{"id": "0oa1slack", "name": "slack", "label": "Slack", "signOnMode": "SAML_2_0"}],
  "users":  [{"id": "00u1kari", "status": "ACTIVE",
              "profile": {"login": "kari@acme.example", "email": "kari@acme.example", "firstName": "Kari", "lastName": "Nordmann"}}]
}}`

// TestOktaAPINative: a Custom API Action whose request an Okta action
// makes (GET /api/v1/users/{id}, POST /api/v1/groups with its body as an
// object or as JSON text, group membership, app assignment) becomes that
// action, and the later cards that read
// fields of Okta's response body read them from the action's output. A
// request no action makes exactly (an assignment of scope GROUP), or whose
// body a later card reads a field of that the action does not return (a
// custom profile attribute), stays okta.api_call. The flows run against
// the Okta emulator.
func TestOktaAPINative(t *testing.T) {
	res := importFile(t, "okta-api-native.flopack")
	data, err := os.ReadFile("testdata/import/okta-api-native.flopack")
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "okta-api-native", res)
	checkEveryCard(t, "okta-api-native", data, res)
	for file, want := range map[string][]string{
		"read_user_by_api.hcl":        {"action     = okta.read_user", "user       = trigger.input.userId", "login  = card.custom_api_action.profile.login", "code   = 200"},
		"read_cost_center_by_api.hcl": {"action     = okta.api_call", "cc = card.custom_api_action.body.profile.costCenterCode"},
		"create_group_by_api.hcl":     {"action      = okta.create_group", "description = trigger.input.description", "id = card.custom_api_action.id"},
		"create_group_from_json.hcl":  {"action      = okta.create_group", "name        = trigger.input.name", `description = "Licensed users"`},
		"add_member_by_api.hcl":       {"action     = okta.add_user_to_group", "action     = okta.remove_user_from_group", "added   = 204"},
		"assign_app_by_api.hcl":       {"action     = okta.assign_user_to_app", "app        = trigger.input.appId", `scope = "USER"`, "action     = okta.api_call", `scope = "GROUP"`},
	} {
		for _, w := range want {
			if !strings.Contains(string(res.Files[file]), w) {
				t.Errorf("%s lacks %s:\n%s", file, w, res.Files[file])
			}
		}
	}
	res.Files["seed.json"] = []byte(oktaAPISeed)
	runImported(t, res, `
run "GET /api/v1/users/{id} reads the user with okta.read_user" {
  flow    = flow.read_user_by_api
  trigger = { input = { userId = "00u1kari" } }
  emulator "okta" { seed_file = "seed.json" }
  expect_call "okta.read_user" { with = { user = "00u1kari" } }
  expect_call "card.return" { with = { result = { login = "kari@acme.example", status = "ACTIVE", code = 200 } } }
}

run "POST /api/v1/groups creates the group with okta.create_group" {
  flow    = flow.create_group_by_api
  trigger = { input = { name = "Contractors", description = "External staff" } }
  emulator "okta" { seed_file = "seed.json" }
  expect_call "okta.create_group" { with = { name = "Contractors", description = "External staff" } }
  assert {
    condition     = card.custom_api_action.changed && startswith(card.custom_api_action.id, "00g")
    error_message = "a new group"
  }
}

run "POST /api/v1/groups with a JSON text body creates the group with okta.create_group" {
  flow    = flow.create_group_from_json
  trigger = { input = { name = "Licensed" } }
  emulator "okta" { seed_file = "seed.json" }
  expect_call "okta.create_group" { with = { name = "Licensed", description = "Licensed users" } }
  expect_call "card.return" { with = { result = { code = 200 } } }
}

run "PUT and DELETE of a group member add and remove the user" {
  flow    = flow.add_member_by_api
  trigger = { input = { groupId = "00g3employees", userId = "00u1kari" } }
  emulator "okta" { seed_file = "seed.json" }
  assert {
    condition     = card.custom_api_action.changed && card.custom_api_action_remove.changed
    error_message = "added, then removed"
  }
  expect_call "okta.add_user_to_group" { with = { group = "00g3employees", user = "00u1kari" } }
  expect_call "okta.remove_user_from_group" { with = { group = "00g3employees", user = "00u1kari" } }
  expect_call "card.return" { with = { result = { added = 204, removed = 204 } } }
}

run "POST /api/v1/apps/{id}/users assigns the user with okta.assign_user_to_app" {
  flow    = flow.assign_app_by_api
  trigger = { input = { appId = "0oa1slack", userId = "00u1kari" } }
  emulator "okta" { seed_file = "seed.json" }
  mock "okta.api_call" { output = { status = 200, body = {} } }
  expect_call "okta.assign_user_to_app" { with = { app = "0oa1slack", user = "00u1kari" } }
  expect_call "okta.api_call" { with = { method = "POST", body = { id = "00u1kari", scope = "GROUP" } } }
  expect_call "card.return" { with = { result = { scope = "USER" } } }
}
`)
}
