package engine_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
)

// healthEngine loads flowsSource (against an API that cannot be reached)
// into an engine on st whose ENDPOINT_TOKEN is endpointToken, logging to
// logger (the default when nil).
func healthEngine(t *testing.T, st store.Store, logger *slog.Logger) *engine.Engine {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flows.hcl"), []byte(flowsSource("http://127.0.0.1:1")), 0o644); err != nil {
		t.Fatal(err)
	}
	e := engine.New(engine.Options{
		Registry: engineRegistry(), Store: st, Paths: []string{dir}, Owner: "test",
		Logger: logger,
		Host:   lang.Host{LookupEnv: func(k string) (string, bool) { return endpointToken, k == "ENDPOINT_TOKEN" }},
	})
	if _, err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

// runEngine runs e until the test ends and serves its public and admin
// (loopback-trusted) handlers. Register the store's Close with t.Cleanup
// before calling it, so the store outlives the engine.
func runEngine(t *testing.T, e *engine.Engine) (srv, admin *httptest.Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	srv = httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	admin = httptest.NewServer(e.Admin(server.AdminOptions{Auth: server.LoopbackTrust{}}))
	t.Cleanup(admin.Close)
	return srv, admin
}

// oktaFlowEngine runs an engine with workers workers on a memory store,
// loading src with OKTA_ORG_URL set to oktaURL, OKTA_API_TOKEN to
// "okta-token" and ENDPOINT_TOKEN to endpointToken, until the test ends
// (then it reports an error Run returned), and serves its handler.
func oktaFlowEngine(t *testing.T, src, oktaURL string, workers int) (*memory.Store, *httptest.Server) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flows.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ENDPOINT_TOKEN": endpointToken, "OKTA_ORG_URL": oktaURL, "OKTA_API_TOKEN": "okta-token"}
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	e := engine.New(engine.Options{
		Registry: engineRegistry(), Store: st, Paths: []string{dir}, Workers: workers, Owner: "test",
		Host: lang.Host{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }},
	})
	if diags, err := e.Reload(context.Background()); err != nil || diags.HasErrors() {
		t.Fatalf("Reload: %v %s", err, diags.Error())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && err != context.Canceled {
			t.Errorf("Run: %v", err)
		}
	})
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	return st, srv
}

// invokeFlows posts each JSON body to flow's endpoint on srv, in order,
// and requires a 202 for each.
func invokeFlows(t *testing.T, srv *httptest.Server, flow string, bodies []string) {
	t.Helper()
	for i, body := range bodies {
		req, _ := http.NewRequest("POST", srv.URL+"/flows/"+flow+"/invoke", strings.NewReader(body))
		req.Header.Set("X-Api-Client-Token", endpointToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("invoke %d: status %d", i, resp.StatusCode)
		}
	}
}

// waitSucceeded waits until n executions of flow succeeded, failing the
// test on a failed one; past deadline it returns how many did and false.
func waitSucceeded(t *testing.T, st *memory.Store, flow string, n int, deadline time.Time) (int, bool) {
	t.Helper()
	for {
		exs, err := st.Executions(context.Background(), store.Filter{Flow: flow, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var succeeded int
		for _, ex := range exs {
			switch ex.Status {
			case store.Succeeded:
				succeeded++
			case store.Failed:
				t.Fatalf("execution %s failed: %s", ex.ID, ex.Error)
			}
		}
		if succeeded == n {
			return succeeded, true
		}
		if time.Now().After(deadline) {
			return succeeded, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
