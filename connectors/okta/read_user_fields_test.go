package okta_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestReadUserLastLoginAndPhones: read_user carries the user's last login
// and password change, and the base profile's primaryPhone and
// postalAddress (Okta Workflows' Read User outputs).
func TestReadUserLastLoginAndPhones(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"00u1","status":"ACTIVE","created":"2024-01-02T03:04:05.000Z",
			"lastLogin":"2026-03-01T10:00:00.000Z","passwordChanged":"2025-12-24T08:30:00.000Z","lastUpdated":"2026-03-01T10:00:00.000Z",
			"profile":{"login":"kari@acme.example","primaryPhone":"+4722334455","postalAddress":"Box 1, Oslo","shopify_id":"42"}}`)
	}))
	defer srv.Close()
	out, err := doWith(t, openTo(t, srv.URL), "read_user", map[string]cty.Value{"user": s("00u1")})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"last_login":            "2026-03-01T10:00:00.000Z",
		"password_changed":      "2025-12-24T08:30:00.000Z",
		"profile.primaryPhone":  "+4722334455",
		"profile.postalAddress": "Box 1, Oslo",
	} {
		v := out
		for _, p := range strings.Split(path, ".") {
			v = v.GetAttr(p)
		}
		if v.IsNull() || v.AsString() != want {
			t.Errorf("%s = %#v, want %q", path, v, want)
		}
	}
}
