package servicenow_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// TestAPICallBody checks the bytes a loopback server receives: a string body
// goes as it is, with the Content-Type of headers when they give one, and
// any other value JSON-encoded.
func TestAPICallBody(t *testing.T) {
	type received struct{ Body, ContentType string }
	var got received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = received{string(b), r.Header.Get("Content-Type")}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"result":{}}`)
	}))
	defer srv.Close()
	c := open(t, srv.URL, basicAuth("admin", "pw"))
	tests := []struct {
		name string
		args map[string]cty.Value
		want received
	}{
		{"JSON text", map[string]cty.Value{"body": str("{\"short_description\": \"A & B\"}")},
			received{"{\"short_description\": \"A & B\"}", "application/json"}},
		{"form with its content type", map[string]cty.Value{
			"body":    str("a=1&b=x+y"),
			"headers": strMap("Content-Type", "application/x-www-form-urlencoded"),
		}, received{"a=1&b=x+y", "application/x-www-form-urlencoded"}},
		{"object", map[string]cty.Value{"body": cty.ObjectVal(map[string]cty.Value{"short_description": str("A & B")})},
			received{"{\"short_description\":\"A \\u0026 B\"}", "application/json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.args["method"], tt.args["path"] = str("POST"), str("/api/now/table/incident")
			if _, err := run(t, c, "api_call", tt.args); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("received (-want +got):\n%s", diff)
			}
		})
	}
}
