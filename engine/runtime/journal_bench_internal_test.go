package runtime

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// incidentOutput is card.<name> of a servicenow.create_record that created
// the incident of testdata/servicenow-incident.json (a Table API answer,
// 83 fields, most of them empty), its references as plain sys_ids as the
// connector asks for them.
func incidentOutput(tb testing.TB) cty.Value {
	tb.Helper()
	b, err := os.ReadFile("testdata/servicenow-incident.json")
	if err != nil {
		tb.Fatal(err)
	}
	var body struct{ Result map[string]any }
	if err := json.Unmarshal(b, &body); err != nil {
		tb.Fatal(err)
	}
	rec := make(map[string]cty.Value, len(body.Result))
	for k, v := range body.Result {
		switch v := v.(type) {
		case string:
			rec[k] = cty.StringVal(v)
		case map[string]any: // a reference: {"link": …, "value": sys_id}
			rec[k] = cty.StringVal(v["value"].(string))
		default:
			tb.Fatalf("%s is %T", k, v)
		}
	}
	return cty.ObjectVal(map[string]cty.Value{
		"sys_id":  rec["sys_id"],
		"number":  rec["number"],
		"table":   cty.StringVal("incident"),
		"created": cty.True,
		"record":  cty.MapVal(rec),
	})
}

// BenchmarkJournalOutput encodes a created incident for the journal, as
// attempts does after each card, with the secrets of an execution whose
// connections have a password, an API token and a hook secret.
func BenchmarkJournalOutput(b *testing.B) {
	out := incidentOutput(b)
	s := newSecrets(withSpellings([]string{"sn-password-0123", "00abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", "hook-secret-xyz"}))
	names := []string{"created", "number", "record", "sys_id", "table"}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = s.appendObjectJSON(buf[:0], out, names)
	}
	b.SetBytes(int64(len(buf)))
}

// userOutput is card.<name> of an okta.read_user: twelve attributes and
// a profile of Okta's 29 standard attributes, a few of them set.
func userOutput() cty.Value {
	profile := map[string]cty.Value{}
	for _, name := range []string{"login", "email", "firstName", "lastName", "displayName", "department",
		"title", "manager", "managerId", "employeeNumber", "mobilePhone", "organization", "division",
		"costCenter", "userType", "locale", "timezone", "countryCode", "secondEmail", "nickName",
		"middleName", "honorificPrefix", "honorificSuffix", "city", "state", "zipCode", "streetAddress",
		"preferredLanguage", "profileUrl"} {
		profile[name] = cty.NullVal(cty.String)
	}
	profile["login"] = cty.StringVal("ada.lovelace@example.com")
	profile["email"] = cty.StringVal("ada.lovelace@example.com")
	profile["firstName"] = cty.StringVal("Ada")
	profile["lastName"] = cty.StringVal("Lovelace")
	profile["department"] = cty.StringVal("Engineering")
	str := cty.StringVal
	return cty.ObjectVal(map[string]cty.Value{
		"id": str("00u1abcdefghijklmnop"), "status": str("STAGED"), "created": str("2026-12-01T10:00:00Z"),
		"activated": cty.NullVal(cty.String), "status_changed": cty.NullVal(cty.String),
		"last_updated": str("2026-12-01T10:00:00Z"), "login": str("ada.lovelace@example.com"),
		"email": str("ada.lovelace@example.com"), "first_name": str("Ada"), "last_name": str("Lovelace"),
		"display_name": cty.NullVal(cty.String), "profile": cty.ObjectVal(profile),
	})
}

// BenchmarkJournalUser encodes a read user for the journal.
func BenchmarkJournalUser(b *testing.B) {
	out := userOutput()
	s := newSecrets(withSpellings([]string{"sn-password-0123", "00abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", "hook-secret-xyz"}))
	names := []string{"activated", "created", "display_name", "email", "first_name", "id", "last_name",
		"last_updated", "login", "profile", "status", "status_changed"}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = s.appendObjectJSON(buf[:0], out, names)
	}
	b.SetBytes(int64(len(buf)))
}
