package okta_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// TestAPICallBody checks the bytes a loopback server receives: JSON text
// built with a template goes as it is, any other value JSON-encoded.
func TestAPICallBody(t *testing.T) {
	type received struct{ Body, ContentType string }
	var got received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = received{string(b), r.Header.Get("Content-Type")}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	c := openTo(t, srv.URL)
	tests := []struct {
		name string
		body cty.Value
		want received
	}{
		{"JSON text", s("{\n  \"label\": \"A & B\",\n  \"settings\": {\"app\": {\"url\": \"https://x.example/?a=1&b=2\"}}\n}"),
			received{"{\n  \"label\": \"A & B\",\n  \"settings\": {\"app\": {\"url\": \"https://x.example/?a=1&b=2\"}}\n}", "application/json"}},
		{"object", cty.ObjectVal(map[string]cty.Value{"label": s("A & B")}),
			received{"{\"label\":\"A & B\"}\n", "application/json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := doWith(t, c, "api_call", map[string]cty.Value{"method": s("POST"), "path": s("/api/v1/apps"), "body": tt.body}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("received (-want +got):\n%s", diff)
			}
		})
	}
}
