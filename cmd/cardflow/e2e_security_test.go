package main

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestE2EAdminSurfaceIsApart: history, metrics and profiles are served on
// the admin listener only, never beside the hooks on the public one.
func TestE2EAdminSurfaceIsApart(t *testing.T) {
	e := newEdge(t)
	e.start("--pprof")
	id := e.invoke(http.DefaultClient, "http://"+e.addr)
	for _, path := range []string{"/api/v1/executions", "/api/v1/executions/" + id, "/api/v1/health", "/metrics", "/debug/pprof/"} {
		if status, _ := adminRequest(t, http.DefaultClient, "GET", "http://"+e.addr+path, ""); status != http.StatusNotFound {
			t.Errorf("public GET %s: %d, want 404", path, status)
		}
		// On loopback without tokens the admin surface trusts its callers.
		if status, body := adminRequest(t, http.DefaultClient, "GET", "http://"+e.admin+path, ""); status != http.StatusOK {
			t.Errorf("admin GET %s: %d, want 200: %.200s", path, status, body)
		}
	}
	if status, _ := adminRequest(t, http.DefaultClient, "GET", "http://"+e.addr+"/healthz", ""); status != http.StatusOK {
		t.Errorf("public /healthz: %d", status)
	}
}

// TestE2EAdminOffLoopbackNeedsTokens: run refuses an admin listener on
// every interface without a token file, with exit 2 and how to fix it,
// before it opens a port.
func TestE2EAdminOffLoopbackNeedsTokens(t *testing.T) {
	e := newEdge(t)
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		_, stderr, code := e.cli("run", filepath.Join(e.dir, "flows"), "--db", e.db, "--listen", "127.0.0.1:0", "--admin-listen", addr)
		if code != 2 || !strings.Contains(stderr, "not on loopback") || !strings.Contains(stderr, "cardflow admin token create") {
			t.Errorf("--admin-listen %s without tokens: exit %d\n%s", addr, code, stderr)
		}
	}
	// A token file that does not parse is refused at start with its line;
	// a token pasted in clear is not repeated.
	_, line := e.createToken("ok", "read")
	pasted, _ := e.createToken("pasted", "read")
	file := filepath.Join(e.dir, "bad-tokens")
	if err := os.WriteFile(file, []byte(line+"\nbob operate "+pasted+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := e.cli("run", filepath.Join(e.dir, "flows"), "--db", e.db, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--admin-token-file", file)
	if code != 2 || !strings.Contains(stderr, file+":2:") || strings.Contains(stderr, pasted) {
		t.Errorf("a token file with a token in clear on line 2: exit %d\n%s", code, stderr)
	}
}

var (
	e2eTokenRE = regexp.MustCompile(`(?m)^  (cfadm_\S+)$`)
	e2eLineRE  = regexp.MustCompile(`(?m)^  (\S+ (?:read|operate) sha256:[0-9a-f]{64})$`)
)

// createToken runs `cardflow admin token create` and returns the token and
// its token file line.
func (e *edge) createToken(name, role string) (token, line string) {
	e.t.Helper()
	out, stderr, code := e.cli("admin", "token", "create", name, "--role", role)
	tok, l := e2eTokenRE.FindStringSubmatch(out), e2eLineRE.FindStringSubmatch(out)
	if code != 0 || tok == nil || l == nil {
		e.t.Fatalf("admin token create: exit %d\n%s%s", code, out, stderr)
	}
	return tok[1], l[1]
}

// TestE2EAdminTokens: with a token file, the admin surface answers only
// bearers of its tokens, each within its role, and a replay through the API
// is queued, runs, and is logged with the name of who asked.
func TestE2EAdminTokens(t *testing.T) {
	e := newEdge(t)
	reader, readLine := e.createToken("grafana", "read")
	operator, opLine := e.createToken("alice", "operate")
	file := filepath.Join(e.dir, "admin-tokens")
	if err := os.WriteFile(file, []byte("# cardflow admin tokens\n"+readLine+"\n"+opLine+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.start("--admin-token-file", file)
	id := e.invoke(http.DefaultClient, "http://"+e.addr)
	admin := "http://" + e.admin
	eventually(t, "the execution to succeed", func() bool {
		_, body := adminRequest(t, http.DefaultClient, "GET", admin+"/api/v1/executions/"+id, reader)
		return strings.Contains(body, `"status": "succeeded"`)
	})
	tests := []struct {
		method, path, token string
		status              int
	}{
		{"GET", "/api/v1/executions", "", 401},
		{"GET", "/metrics", "", 401},
		{"GET", "/api/v1/executions/" + id, "", 401},
		{"GET", "/api/v1/executions", "cfadm_not-a-token", 401},
		{"GET", "/api/v1/executions", reader, 200},
		{"GET", "/metrics", reader, 200},
		{"POST", "/api/v1/executions/" + id + "/replay", reader, 403},
		{"GET", "/api/v1/executions/" + id, operator, 200},
	}
	for _, tt := range tests {
		if status, body := adminRequest(t, http.DefaultClient, tt.method, admin+tt.path, tt.token); status != tt.status {
			t.Errorf("%s %s (token %.12s…): %d, want %d: %.200s", tt.method, tt.path, tt.token, status, tt.status, body)
		}
	}
	if strings.Contains(e.p.out.String(), reader) || strings.Contains(e.p.out.String(), operator) {
		t.Error("the log shows a token")
	}

	// The execution succeeded: replaying it would run its writes again,
	// so it takes "force".
	status, body := adminRequest(t, http.DefaultClient, "POST", admin+"/api/v1/executions/"+id+"/replay", operator)
	if status != http.StatusConflict || !strings.Contains(body, "force") {
		t.Errorf("replay of a succeeded execution without force: %d %s, want 409 naming force", status, body)
	}
	status, body = adminPost(t, http.DefaultClient, "POST", admin+"/api/v1/executions/"+id+"/replay", operator, `{"force": true}`)
	if status != http.StatusAccepted {
		t.Fatalf("forced replay as operate: %d %s", status, body)
	}
	eventually(t, "the replayed execution to run again", func() bool {
		_, body := adminRequest(t, http.DefaultClient, "GET", admin+"/api/v1/executions/"+id, reader)
		return strings.Contains(body, `"status": "succeeded"`) && strings.Contains(body, `"claims": 2`)
	})
	var audit map[string]any
	for _, rec := range e.p.out.records() {
		if rec["msg"] == "admin action" {
			audit, _ = rec["audit"].(map[string]any)
		}
	}
	if audit == nil || audit["action"] != "replay" || audit["principal"] != "alice" || audit["role"] != "operate" || audit["target"] != id ||
		audit["outcome"] != "ok" || audit["detail"] != "pong (forced)" {
		t.Errorf("the replay's audit record: %v", audit)
	}

	// Revoking a token is deleting its line: the running process reads the
	// file again.
	if err := os.WriteFile(file+".new", []byte(opLine+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(file+".new", file); err != nil {
		t.Fatal(err)
	}
	if status, _ := adminRequest(t, http.DefaultClient, "GET", admin+"/metrics", reader); status != 401 {
		t.Errorf("a revoked token: %d, want 401", status)
	}
}
