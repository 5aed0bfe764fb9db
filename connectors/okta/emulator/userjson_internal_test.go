package emulator

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// encoderJSON is what writeJSON wrote before its fast path.
func encoderJSON(t *testing.T, v any) ([]byte, error) {
	t.Helper()
	var b bytes.Buffer
	err := json.NewEncoder(&b).Encode(v)
	return b.Bytes(), err
}

// TestUserJSONMatchesEncodingJSON checks that the fast path writes users,
// and pages of them, byte for byte as encoding/json does: every escape,
// map order, time and value kind a profile can hold.
func TestUserJSONMatchesEncodingJSON(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		oslo = time.FixedZone("CET", 3600)
	}
	at := time.Date(2026, 11, 20, 9, 14, 30, 123456789, time.UTC)
	at2 := time.Date(2026, 1, 2, 3, 4, 5, 0, oslo)
	oat, oat2 := Time{at}, Time{at2}
	strs := []string{"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "AT&T", "a>b", "tab\tnew\nline\r", "\x00\x01\x1f\x7f",
		"Ærøskøbing ☃ 🎉", "line\u2028sep\u2029", "bad \xff utf-8 \xc3", "bench.user1@acme.example"}
	profiles := []map[string]any{
		nil,
		{},
		{"login": "a@acme.example", "email": "a@acme.example", "firstName": "A", "lastName": "B"},
		{"n": 42.0, "big": 1e21, "small": 1e-7, "nan-free": math.MaxFloat64, "int": 7, "neg": -0.5},
		{"t": true, "f": false, "nil": nil, "list": []any{"x", 1.5, nil, true, map[string]any{"z": "<"}},
			"nested": map[string]any{"b": "2", "a": map[string]any{"c": nil}}, "num": json.Number("12.50"),
			"strs": []string{"a", "<"}, "when": at2, "empty": map[string]any{}, "nilmap": map[string]any(nil)},
	}
	for _, s := range strs {
		profiles = append(profiles, map[string]any{s: s, "k" + s: []any{s}, "login": s})
	}
	var users []User
	for i, p := range profiles {
		u := User{ID: strs[i%len(strs)], Status: "ACTIVE", Created: oat, LastUpdated: oat2, Profile: p,
			Type: map[string]any{"id": defaultUserType}}
		if i%2 == 1 {
			u.Activated, u.StatusChanged, u.PasswordChanged = &oat, &oat2, &oat
		}
		if i%3 == 0 {
			u.LastLogin = &oat2
			u.Credentials = map[string]any{"password": map[string]any{}, "provider": map[string]any{"type": "OKTA", "name": "OKTA"}}
			u.Links = map[string]any{"self": map[string]any{"href": "http://127.0.0.1:1/api/v1/users/" + u.ID}}
		}
		users = append(users, u)
	}
	rec := &userRec{id: "00u1", status: "STAGED", created: at, lastUpdated: at,
		profile: map[string]any{"login": "x@acme.example", "department": "R&D <lab>"}}
	users = append(users, rec.export("http://127.0.0.1:8080"), User{})
	for i, u := range users {
		want, err := encoderJSON(t, u)
		if err != nil {
			t.Fatalf("user %d: %v", i, err)
		}
		got, ok := fastJSON(u)
		if !ok || !bytes.Equal(got, want) {
			t.Errorf("user %d: fast path wrote (ok %v)\n%s\nencoding/json\n%s", i, ok, got, want)
		}
	}
	for _, page := range [][]User{{}, users[:1], users} {
		want, _ := encoderJSON(t, page)
		if got, ok := fastJSON(page); !ok || !bytes.Equal(got, want) {
			t.Errorf("page of %d: fast path wrote (ok %v)\n%s\nencoding/json\n%s", len(page), ok, got, want)
		}
	}
	// A stored user, written straight from its record, as export and
	// encoding/json wrote it: with and without a password, activation,
	// status change, and any profile.
	for i, p := range profiles {
		u := &userRec{id: "00u" + strs[i%len(strs)], status: "STAGED", created: at, lastUpdated: at2, profile: p}
		if i%2 == 1 {
			u.activated, u.statusChanged, u.passwordChanged = &at2, &at, &at2
		}
		for _, base := range []string{"http://127.0.0.1:8080", "https://acme.okta.com", `http://<odd>&"host"`} {
			want, err := encoderJSON(t, u.export(base))
			if err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
			got, ok := u.appendJSON(nil, base)
			if !ok || !bytes.Equal(got, want) {
				t.Errorf("record %d at %s: fast path wrote (ok %v)\n%s\nexport and encoding/json\n%s", i, base, ok, got, want)
			}
		}
	}
	badRec := &userRec{created: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, ok := badRec.appendJSON(nil, "http://x"); ok {
		t.Error("the fast path wrote a record encoding/json cannot")
	}
	// What encoding/json cannot write, the fast path leaves to it.
	bad := User{Created: Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}
	if _, err := encoderJSON(t, bad); err == nil {
		t.Fatal("encoding/json wrote a year-10000 time")
	}
	if _, ok := fastJSON(bad); ok {
		t.Error("the fast path wrote a user encoding/json cannot")
	}
	if _, ok := fastJSON([]User(nil)); ok {
		t.Error("the fast path took a nil page (encoding/json writes null)")
	}
	if _, ok := fastJSON(map[string]any{}); ok {
		t.Error("the fast path took a value that is not a user")
	}
}
