package emulator

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"
)

// TestUserEncodingMatchesEncodingJSON checks that a user is written byte
// for byte as encoding/json writes its exported User: every timestamp set
// or not, with and without a password, and profile values of every JSON
// type, including strings that need escaping.
func TestUserEncodingMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 14, 5, 123000000, time.UTC)
	whole := time.Date(2026, 11, 20, 9, 14, 5, 0, time.UTC)
	tricky := "<b>&amp;</b> \"q\" \\ \t\n\r\x00\x1f\x7f é 漢字 \u2028\u2029 \xff 🙂"
	users := []*userRec{
		{id: "00u1", status: "STAGED", created: at, lastUpdated: at, profile: map[string]any{
			"login": "a@x.com", "email": "a@x.com", "firstName": "A", "lastName": tricky}},
		{id: "00u<2>", status: "ACTIVE", created: whole, lastUpdated: at, activated: &at, statusChanged: &whole,
			passwordChanged: &at, profile: map[string]any{
				"login": "b@x.com", "count": 3.0, "ratio": 0.25, "big": 1e21, "flag": true, "off": false, "none": nil,
				"list": []any{"x", 1.0, nil}, "nested": map[string]any{"z": "1", "a": []any{}, tricky: tricky},
				tricky: "key needs escaping", "": "empty key"}},
		{id: "00u3", status: "DEPROVISIONED", created: at, lastUpdated: at, profile: nil},
		{id: "00u4", status: "ACTIVE", created: at, lastUpdated: at, profile: map[string]any{}},
	}
	for _, base := range []string{"http://127.0.0.1:8080", "https://acme.okta.com/<&>"} {
		for _, u := range users {
			got, err := appendUserLocked(nil, u, base)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(u.export(base))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("user %s under %s:\n got %s\nwant %s", u.id, base, got, want)
			}
		}
	}
}

// TestUserEncodingFallsBack checks that a user encoding/json cannot write
// either (a time past year 9999) gets the same answer as before: writeJSON
// of the exported User.
func TestUserEncodingFallsBack(t *testing.T) {
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	u := &userRec{id: "00u1", status: "ACTIVE", created: far, lastUpdated: far, profile: map[string]any{"login": "a@x.com"}}
	if _, err := appendUserLocked(nil, u, "http://x"); err == nil {
		t.Fatal("appendUserLocked wrote a time outside RFC 3339")
	}
	body, out := userBodyLocked(u, "http://x")
	if body != nil || out == nil {
		t.Fatalf("userBodyLocked = %q, %v; want the exported user", body, out)
	}
	got, want := httptest.NewRecorder(), httptest.NewRecorder()
	writeJSON(got, 200, *out)
	writeJSON(want, 200, u.export("http://x"))
	if got.Body.String() != want.Body.String() {
		t.Errorf("fallback body %q, want %q", got.Body, want.Body)
	}
}
