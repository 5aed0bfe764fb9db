package importer_test

import (
	"os"
	"strings"
	"testing"
)

// oktaNativeSeed is the Okta emulator's groups for TestOktaNativeCards.
const oktaNativeSeed = `{"okta": {"groups": [
  {"id": "00g1contractors", "name": "Contractors", "description": "External staff"},
  {"id": "00g2contractorseu", "name": "Contractors EU", "description": "External staff in Europe"},
  {"id": "00g3employees", "name": "Employees", "description": "Everyone employed by Acme"}
]}}`

// TestOktaNativeCards: Okta cards that have a cardflow action of their own
// (Search Groups, Create User) become that action, not okta.api_call, and
// keep their outputs; a card whose Okta-only output a later card reads
// (Search Groups' Raw Object) stays okta.api_call. The flows run against
// the Okta emulator. Search Groups' first matching record is null when no
// group matches, and the flow goes on.
func TestOktaNativeCards(t *testing.T) {
	res := importFile(t, "okta-native.flopack")
	data, err := os.ReadFile("testdata/import/okta-native.flopack")
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "okta-native", res)
	checkEveryCard(t, "okta-native", data, res)
	for file, want := range map[string][]string{
		"find_group.hcl":       {"action     = okta.search_groups", "query      = trigger.input.groupName", "limit      = 1"},
		"find_group_raw.hcl":   {"action     = okta.api_call", `path       = "/api/v1/groups"`, "raw = (length(card.search_groups.body) > 0 ? card.search_groups.body[0] : null)"},
		"list_okta_groups.hcl": {"action     = okta.search_groups", `search     = "type eq \"${"OKTA_GROUP"}\""`, "limit      = 10000"},
		"new_user.hcl":         {"action     = okta.create_user", "activate   = false", "login     = trigger.input.login"},
	} {
		for _, w := range want {
			if !strings.Contains(string(res.Files[file]), w) {
				t.Errorf("%s lacks %s:\n%s", file, w, res.Files[file])
			}
		}
	}
	res.Files["seed.json"] = []byte(oktaNativeSeed)
	runImported(t, res, `
run "Search Groups finds the first group whose name starts with the query" {
  flow    = flow.find_group
  trigger = { input = { groupName = "Contractors" } }
  emulator "okta" { seed_file = "seed.json" }
  assert {
    condition     = card.search_groups.count == 1
    error_message = "one group"
  }
  expect_call "okta.search_groups" { with = { query = "Contractors", limit = 1 } }
  expect_call "card.return" {
    with = { result = { id = "00g1contractors", profile = { Name = "Contractors", Description = "External staff" } } }
  }
}

run "Search Groups that finds no group gives null outputs and the flow goes on" {
  flow          = flow.find_group
  trigger       = { input = { groupName = "Nobody" } }
  emulator "okta" { seed_file = "seed.json" }
  expect_status = "succeeded"
  assert {
    condition     = card.search_groups.count == 0
    error_message = "no group"
  }
  expect_call "card.return" { with = { result = { id = null, profile = null } } }
}

run "Search Groups lists every group of a type" {
  flow    = flow.list_okta_groups
  trigger = { input = {} }
  emulator "okta" { seed_file = "seed.json" }
  expect_call "okta.search_groups" { with = { search = "type eq \"OKTA_GROUP\"", limit = 10000 } }
  expect_call "card.return" {
    with = { result = { groups = [
      { ID = "00g1contractors", Name = "Contractors", Description = "External staff", Type = "OKTA_GROUP", Profile = { Name = "Contractors", Description = "External staff" } },
      { ID = "00g2contractorseu", Name = "Contractors EU", Description = "External staff in Europe", Type = "OKTA_GROUP", Profile = { Name = "Contractors EU", Description = "External staff in Europe" } },
      { ID = "00g3employees", Name = "Employees", Description = "Everyone employed by Acme", Type = "OKTA_GROUP", Profile = { Name = "Employees", Description = "Everyone employed by Acme" } },
    ] } }
  }
}

run "Create User creates a staged user" {
  flow    = flow.new_user
  trigger = { input = { login = "ola@acme.example", first = "Ola", last = "Nordmann" } }
  emulator "okta" { seed_file = "seed.json" }
  assert {
    condition     = card.create_user.changed && startswith(card.create_user.id, "00u")
    error_message = "a new user"
  }
  expect_call "card.return" { with = { result = { status = "STAGED" } } }
  expect_call "okta.create_user" {
    with = { activate = false, profile = { login = "ola@acme.example", email = "ola@acme.example", firstName = "Ola", lastName = "Nordmann" } }
  }
}
`)
}
