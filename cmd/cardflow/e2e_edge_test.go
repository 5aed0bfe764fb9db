package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// edgeToken is the client token of the edge's endpoint flow.
const edgeToken = "edge-endpoint-token"

// edgeFlow is one endpoint flow that needs no tenant: enough to serve both
// surfaces and to make executions.
const edgeFlow = `flow "ping" {
  trigger "http.endpoint" {
    token = env("EDGE_TOKEN")
  }
  card "pong" {
    action = text.compose
    text   = "pong"
  }
}
`

// edge is a `cardflow run` of edgeFlow, for the tests of the HTTP surfaces
// themselves (authentication, TLS, timeouts).
type edge struct {
	t     *testing.T
	dir   string
	db    string
	p     *process
	addr  string // the public surface
	admin string // the admin surface
}

// newEdge prepares an edge's flows and store; start runs it.
func newEdge(t *testing.T) *edge {
	t.Helper()
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end test: runs the built binary (not with -short)")
	}
	t.Parallel()
	e := &edge{t: t, dir: t.TempDir()}
	e.db = filepath.Join(e.dir, "cardflow.db")
	if err := os.MkdirAll(filepath.Join(e.dir, "flows"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.dir, "flows", "ping.hcl"), []byte(edgeFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if e.p != nil {
			e.p.kill()
			if t.Failed() {
				t.Logf("--- stderr of cardflow run (%s) ---\n%s", e.p.state(), e.p.out.String())
			}
		}
	})
	return e
}

func (e *edge) environ() []string {
	env := []string{"EDGE_TOKEN=" + edgeToken, "NO_COLOR=1"}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// start runs cardflow with args after the edge's own and waits until it
// serves.
func (e *edge) start(args ...string) {
	e.t.Helper()
	all := append([]string{"run", filepath.Join(e.dir, "flows"), "--db", e.db, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"}, args...)
	e.p = startProcess(e.t, all, e.environ())
	addr, err := e.p.waitServing(waitFor)
	if err != nil {
		e.t.Fatalf("cardflow run did not start serving: %v\n%s", err, e.p.out.String())
	}
	e.addr, e.admin = addr, e.p.servingAttr("admin_addr")
}

// cli runs a cardflow command to its end (killed after waitFor: a run
// that should have refused to start fails the test rather than hang it)
// and returns its stdout, stderr and exit code.
func (e *edge) cli(args ...string) (stdout, stderr string, code int) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	cmd := exec.CommandContext(ctx, cardflowBin, args...)
	cmd.Env = e.environ()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		e.t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// invoke runs the endpoint flow once and returns the execution's id.
func (e *edge) invoke(client *http.Client, base string) string {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/flows/ping/invoke", strings.NewReader(`{}`))
	req.Header.Set("x-api-client-token", edgeToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Executions []string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusAccepted || len(out.Executions) != 1 {
		e.t.Fatalf("invoke: %d %v %v", resp.StatusCode, out, err)
	}
	return out.Executions[0]
}

// adminRequest sends a request with an optional bearer token and returns the
// status and body.
func adminRequest(t *testing.T, client *http.Client, method, url, token string) (int, string) {
	t.Helper()
	return adminPost(t, client, method, url, token, "")
}

// adminPost is adminRequest with a body.
func adminPost(t *testing.T, client *http.Client, method, url, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
