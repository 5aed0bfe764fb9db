package servicenow_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestErrorKinds maps every kind of failure the Table API answers to the
// error kind the engine's retry policy acts on.
func TestErrorKinds(t *testing.T) {
	reset := time.Now().Add(time.Hour).Truncate(time.Second)
	tests := []struct {
		name     string
		status   int
		header   map[string]string
		body     []byte
		kind     connector.Kind
		contains []string
		retryAt  func(time.Time) bool
	}{
		{name: "429 Retry-After", status: 429, header: map[string]string{"Retry-After": "7"}, body: fixture(t, "error-rate-limit-429.json"),
			kind: connector.RateLimited, contains: []string{"Rate limit exceeded", "10 requests per hour"},
			retryAt: func(at time.Time) bool { d := time.Until(at); return d > 5*time.Second && d <= 7*time.Second }},
		{name: "429 X-RateLimit-Reset", status: 429, header: map[string]string{"X-RateLimit-Reset": strconv.FormatInt(reset.Unix(), 10)},
			body: fixture(t, "error-rate-limit-429.json"), kind: connector.RateLimited,
			retryAt: func(at time.Time) bool { return at.Equal(reset) }},
		{name: "500", status: 500, body: []byte(`{"error":{"message":"Internal error","detail":null},"status":"failure"}`),
			kind: connector.Transient, contains: []string{"Internal error"}},
		{name: "502 without body", status: 502, kind: connector.Transient, contains: []string{"Bad Gateway"}},
		{name: "503 with the window's reset backs off", status: 503, header: map[string]string{"X-RateLimit-Reset": strconv.FormatInt(reset.Unix(), 10)},
			kind: connector.Transient, retryAt: func(at time.Time) bool { return at.IsZero() }},
		{name: "503 Retry-After", status: 503, header: map[string]string{"Retry-After": "4", "X-RateLimit-Reset": strconv.FormatInt(reset.Unix(), 10)},
			kind: connector.Transient, retryAt: func(at time.Time) bool { d := time.Until(at); return d > 2*time.Second && d <= 4*time.Second }},
		{name: "400 invalid table", status: 400, body: fixture(t, "error-invalid-table-400.json"),
			kind: connector.Invalid, contains: []string{"Invalid table incidnt"}},
		{name: "401", status: 401, body: []byte(`{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}`),
			kind: connector.Permission, contains: []string{"User Not Authenticated", "Required to provide Auth information"}},
		{name: "403 ACL", status: 403, body: []byte(`{"error":{"message":"Operation Failed","detail":"ACL Exception Update Failed due to security constraints"},"status":"failure"}`),
			kind: connector.Permission, contains: []string{"ACL Exception"}},
		{name: "404", status: 404, body: fixture(t, "error-not-found-404.json"),
			kind: connector.NotFound, contains: []string{"No Record found", "ACL restricts"}},
		{name: "403 data policy", status: 403, body: fixture(t, "error-data-policy-403.json"),
			kind: connector.Invalid, contains: []string{"Resolution code, Close notes", "close_code", "close_notes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/now/table/sys_choice" {
					w.Write([]byte(`{"result":[{"value":"Solution provided"},{"value":"Duplicate"}]}`))
					return
				}
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				w.Write(tc.body)
			}))
			defer srv.Close()
			c := open(t, srv.URL, basicAuth("svc", "pw"))
			_, err := run(t, c, "resolve_incident", map[string]cty.Value{
				"sys_id": str("9d385017c611228701d22104cc95c371"), "close_code": str("Fixed"), "close_notes": str("done"),
			})
			ce := asError(t, err)
			if ce.Kind != tc.kind || ce.Status != tc.status {
				t.Errorf("kind %v status %d, want %v %d (%v)", ce.Kind, ce.Status, tc.kind, tc.status, err)
			}
			if ce.Op != "servicenow.resolve_incident" {
				t.Errorf("Op = %q", ce.Op)
			}
			for _, s := range tc.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if tc.retryAt != nil && !tc.retryAt(ce.RetryAt) {
				t.Errorf("RetryAt = %v", ce.RetryAt)
			}
			if tc.name == "403 data policy" && !strings.Contains(err.Error(), `Solution provided, Duplicate`) {
				t.Errorf("data policy error does not list the valid close codes: %v", err)
			}
		})
	}
}

// TestNetworkErrors: resets and timeouts are transient.
func TestNetworkErrors(t *testing.T) {
	t.Run("reset", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					tc.SetLinger(0)
				}
				conn.Close()
			}
		}))
		defer srv.Close()
		c := open(t, srv.URL, basicAuth("svc", "pw"))
		_, err := run(t, c, "read_record", map[string]cty.Value{"table": str("incident"), "sys_id": str("x")})
		if ce := asError(t, err); ce.Kind != connector.Transient {
			t.Errorf("kind %v, want transient: %v", ce.Kind, err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(release)
		c := open(t, srv.URL, map[string]cty.Value{"api_key": str("k"), "timeout": str("50ms")})
		_, err := run(t, c, "read_record", map[string]cty.Value{"table": str("incident"), "sys_id": str("x")})
		ce := asError(t, err)
		var nerr net.Error
		if ce.Kind != connector.Transient || !errors.As(err, &nerr) || !nerr.Timeout() {
			t.Errorf("kind %v, want a transient timeout: %v", ce.Kind, err)
		}
	})
	t.Run("no credentials", func(t *testing.T) {
		c := open(t, "http://127.0.0.1:1", nil)
		_, err := run(t, c, "read_record", map[string]cty.Value{"table": str("incident"), "sys_id": str("x")})
		if ce := asError(t, err); ce.Kind != connector.Permission {
			t.Errorf("kind %v, want permission: %v", ce.Kind, err)
		}
	})
}

// TestNotTheTableAPI: a login page or a redirect off the instance is a
// configuration problem, reported as such and not retried.
func TestNotTheTableAPI(t *testing.T) {
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-sn-apikey") != "" {
			t.Error("the API key followed a redirect to another host")
		}
		w.Write([]byte(`{"result":{"sys_id":"stolen"}}`))
	}))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/redirect") {
			http.Redirect(w, r, elsewhere.URL+"/api/now/table/incident/x", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>Log in</html>"))
	}))
	defer srv.Close()
	c := open(t, srv.URL, map[string]cty.Value{"api_key": str("k")})
	for _, id := range []string{"login", "redirect"} {
		_, err := run(t, c, "read_record", map[string]cty.Value{"table": str("incident"), "sys_id": str(id)})
		if ce := asError(t, err); ce.Kind.Retryable() || !strings.Contains(err.Error(), "instance_url") {
			t.Errorf("%s: kind %v: %v", id, ce.Kind, err)
		}
	}
}
