package seed_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/seed"
)

func TestParseWholeAndParts(t *testing.T) {
	whole, err := seed.Read(filepath.Join("testdata", "whole.json"))
	if err != nil {
		t.Fatal(err)
	}
	if whole.Okta == nil || len(whole.Okta.Users) != 1 || whole.Okta.Users[0].Profile["login"] != "kari.nordmann@acme.example" {
		t.Errorf("okta part: %+v", whole.Okta)
	}
	if whole.ServiceNow == nil || len(whole.ServiceNow.Records["incident"]) != 1 {
		t.Errorf("servicenow part: %+v", whole.ServiceNow)
	}
	if whole.Tables["approvals"]["00u1kari0nordmann0h7"]["status"] != "pending" {
		t.Errorf("tables: %+v", whole.Tables)
	}

	okta, err := seed.Read(filepath.Join("testdata", "okta-seed.json"))
	if err != nil {
		t.Fatal(err)
	}
	if okta.Okta == nil || okta.ServiceNow != nil || len(okta.Okta.Apps) != 2 {
		t.Errorf("an Okta seed alone: %+v", okta)
	}
	if _, err := okta.For(seed.ServiceNow); err == nil || !strings.Contains(err.Error(), `no "servicenow" part`) {
		t.Errorf("For(servicenow) of an Okta seed: %v", err)
	}

	sn, err := seed.Parse([]byte(`{"users":[{"user_name":"beth.anglin","name":"Beth Anglin"}],"close_codes":["Solved"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if sn.ServiceNow == nil || sn.Okta != nil || sn.ServiceNow.Users[0].UserName != "beth.anglin" {
		t.Errorf("a ServiceNow seed alone: %+v", sn)
	}
}

func TestParseRefusesWhatItCannotPlace(t *testing.T) {
	for _, tc := range []struct{ name, json, want string }{
		{"misspelt field deep in the Okta part", `{"okta":{"users":[{"id":"a","profile":{}},{"profil":{}}]}}`, `okta.users[1]: unknown field "profil"`},
		{"misspelt field of a ServiceNow part", `{"servicenow":{"groups":[{"name":"x","member":["a"]}]}}`, `servicenow.groups[0]: unknown field "member"`},
		{"unknown top-level part", `{"okta":{},"jira":{}}`, `unknown field "jira"`},
		{"misspelt field of an Okta seed alone", `{"users":[{"profile":{"login":"a"},"stauts":"ACTIVE"}]}`, `unknown field "stauts"`},
		{"unknown top-level field of a seed alone", `{"users":[],"roles":[]}`, `unknown field "roles"`},
		{"ambiguous seed alone", `{"groups":[{"name":"Employees"}]}`, `put it under "okta" or "servicenow"`},
		{"not an object", `[1]`, `not a JSON object`},
		{"mistyped field", `{"okta":{"users":[{"status":7}]}}`, `okta.users.status: want string, not number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := seed.Parse([]byte(tc.json))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%s) = %v, want an error containing %q", tc.json, err, tc.want)
			}
		})
	}
}

func TestReadNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.json")
	if err := os.WriteFile(path, []byte(`{"okat":{}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := seed.Read(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), `"okat"`) {
		t.Errorf("Read: %v", err)
	}
}
