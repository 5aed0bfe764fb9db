package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// With --pprof the profiles are served under /debug/pprof/ and everything
// else still reaches the engine's handler.
func TestWithPprof(t *testing.T) {
	engine := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := withPprof(engine)
	tests := []struct {
		path   string
		status int
		body   string
	}{
		{"/debug/pprof/", http.StatusOK, "goroutine"},
		{"/debug/pprof/cmdline", http.StatusOK, ""},
		{"/healthz", http.StatusTeapot, ""},
		{"/hooks/okta/main", http.StatusTeapot, ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.body) {
			t.Errorf("GET %s = %d %.60q, want %d containing %q", tt.path, rec.Code, rec.Body.String(), tt.status, tt.body)
		}
	}
}
