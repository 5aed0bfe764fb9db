package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

const endpointToken = "endpoint-token"

// lagPoller is a poll trigger that emits one event a minute old on its
// first tick, so that the trigger lag gauge has a value.
func lagPoller() *connector.Connector {
	return &connector.Connector{
		Name: "lagged",
		Doc:  "A poller that emits one old event.",
		Triggers: []*connector.Trigger{{
			Name:   "poll",
			Mode:   connector.Poll,
			Output: cty.Object(map[string]cty.Type{"n": cty.Number}),
			Poll: func(ctx context.Context, req *connector.PollRequest) error {
				if req.Cursor != nil {
					return nil
				}
				ev := connector.Event{ID: "old-1", Type: "lagged", Time: req.Now().Add(-time.Minute), Payload: []byte(`{"n":1}`)}
				return req.Emit(ctx, []connector.Event{ev}, []byte("1"))
			},
		}},
	}
}

func engineRegistry() *connector.Registry {
	return connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New(), lagPoller())...)
}

// flaky answers 503 to the first request of each user id and 200 after,
// so every execution of on_create retries its http card once.
type flaky struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := r.URL.Query().Get("user")
	if !f.seen[id] {
		f.seen[id] = true
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func flowsSource(apiURL string) string {
	return fmt.Sprintf(`
flow "on_create" {
  trigger "http.endpoint" {
    token = env("ENDPOINT_TOKEN")
  }
  card "notify" {
    action = http.request
    url    = %q
    query  = { user = trigger.body.user }
    retry {
      attempts = 3
      backoff  = "1ms"
    }
  }
  card "done" {
    action = text.compose
    text   = "notified about ${trigger.body.user}"
  }
}

flow "lagging" {
  trigger "lagged.poll" {}
  card "c" {
    action = text.compose
    text   = "n=${trigger.n}"
  }
}
`, apiURL)
}

type liveEngine struct {
	e      *engine.Engine
	st     store.Store
	srv    *httptest.Server // the public surface
	admin  *httptest.Server // the admin surface
	dir    string
	cancel context.CancelFunc
	done   chan error
}

func startEngine(t *testing.T) *liveEngine {
	t.Helper()
	api := httptest.NewServer(&flaky{seen: map[string]bool{}})
	t.Cleanup(api.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flows.hcl"), []byte(flowsSource(api.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ENDPOINT_TOKEN": endpointToken}
	st := memory.New()
	e := engine.New(engine.Options{
		Registry: engineRegistry(), Store: st, Paths: []string{dir}, Workers: 2, Owner: "test",
		Host: lang.Host{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }},
	})
	if diags, err := e.Reload(context.Background()); err != nil {
		t.Fatalf("Reload: %v %s", err, diags.Error())
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &liveEngine{e: e, st: st, srv: httptest.NewServer(e.Handler()), dir: dir, cancel: cancel, done: make(chan error, 1),
		admin: httptest.NewServer(e.Admin(server.AdminOptions{Auth: server.LoopbackTrust{}}))}
	go func() { r.done <- e.Run(ctx) }()
	t.Cleanup(func() {
		r.srv.Close()
		r.admin.Close()
		cancel()
		select {
		case err := <-r.done:
			if err != nil && err != context.Canceled {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("Run did not return after cancel")
		}
		_ = st.Close()
	})
	return r
}

// get reads path from the public surface, or from the admin surface for
// /metrics and /api/.
func (r *liveEngine) get(t *testing.T, path string) string {
	t.Helper()
	srv := r.srv
	if path == "/metrics" || strings.HasPrefix(path, "/api/") {
		srv = r.admin
	}
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return string(b)
}

// invoke posts {"user": user} to the on_create endpoint and returns the
// status code.
func invoke(t *testing.T, srv *httptest.Server, user string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+"/flows/on_create/invoke", strings.NewReader(`{"user":"`+user+`"}`))
	req.Header.Set("X-Api-Client-Token", endpointToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func (r *liveEngine) deliver(t *testing.T, users ...string) {
	t.Helper()
	for _, u := range users {
		if resp := invoke(t, r.srv, u); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("invoke: status %d", resp.StatusCode)
		}
	}
}

func (r *liveEngine) waitStatus(t *testing.T, flow string, status store.Status, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		exs, err := r.st.Executions(context.Background(), store.Filter{Flow: flow, Status: status, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(exs) >= n {
			return
		}
		if time.Now().After(deadline) {
			all, _ := r.st.Executions(context.Background(), store.Filter{Flow: flow, Limit: 100})
			for _, ex := range all {
				t.Logf("%s %s %s %s", ex.Flow, ex.ID, ex.Status, ex.Error)
			}
			t.Fatalf("timed out waiting for %d %s executions of %s", n, status, flow)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestMetrics(t *testing.T) {
	r := startEngine(t)
	r.deliver(t, "00u1", "00u2")
	req, _ := http.NewRequest("POST", r.srv.URL+"/flows/on_create/invoke", nil)
	if resp, err := r.srv.Client().Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("invoke without a token: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	r.waitStatus(t, "on_create", store.Succeeded, 2)
	r.waitStatus(t, "lagging", store.Succeeded, 1)

	metrics := r.get(t, "/metrics")
	for _, want := range []string{
		`cardflow_executions_total{flow="on_create",status="succeeded"} 2`,
		`cardflow_executions_total{flow="lagging",status="succeeded"} 1`,
		`cardflow_card_duration_seconds_count{card="notify",flow="on_create"} 4`, // 2 executions × (503 + 200)
		`cardflow_card_duration_seconds_count{card="done",flow="on_create"} 2`,
		`cardflow_card_retries_total{card="notify",flow="on_create"} 2`,
		`cardflow_card_errors_total{card="notify",flow="on_create",kind="transient"} 2`,
		`cardflow_events_received_total{flow="on_create"} 2`,
		`cardflow_requests_rejected_total{route="/flows",status="Unauthorized"} 1`,
		`cardflow_reloads_total{result="accepted"} 1`,
		`cardflow_generation 1`,
		"cardflow_inbox_depth ",
		"cardflow_intake_held_seconds_count 0",           // idle workers took every delivery at once
		`cardflow_trigger_lag_seconds{flow="lagging"} 6`, // 60.x seconds
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", grepLines(metrics, "cardflow_"))
	}
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

type healthView struct {
	Status     string `json:"status"`
	Generation int    `json:"generation"`
	Flows      []struct {
		Name string `json:"name"`
	} `json:"flows"`
	Rejected *struct {
		Diagnostics string `json:"diagnostics"`
	} `json:"last_rejected_reload"`
}

// health reads the health detail from the admin surface.
func (r *liveEngine) health(t *testing.T) healthView {
	t.Helper()
	var h healthView
	if err := json.Unmarshal([]byte(r.get(t, "/api/v1/health")), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// publicHealth checks that the public /healthz of srv answers code with
// {"status": status} and nothing else: no flow, no file, no diagnostics,
// no store error.
func publicHealth(t *testing.T, srv *httptest.Server, code int, status string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("public /healthz: %v: %s", err, b)
	}
	if resp.StatusCode != code || !cmp.Equal(map[string]any{"status": status}, got) {
		t.Errorf("public /healthz: %d %s, want %d and only {\"status\": %q}", resp.StatusCode, b, code, status)
	}
}

func TestReloadKeepsRunningGenerationAndRecovers(t *testing.T) {
	r := startEngine(t)
	if h := r.health(t); h.Status != "ok" || h.Generation != 1 || len(h.Flows) != 2 || h.Rejected != nil {
		t.Fatalf("health at start: %+v", h)
	}
	publicHealth(t, r.srv, http.StatusOK, "ok")
	before := r.e.Generation()

	broken := filepath.Join(r.dir, "broken.hcl")
	if err := os.WriteFile(broken, []byte("flow \"x\" {\n  trigger \"okta.event_hok\" {}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	diags, err := r.e.Reload(context.Background())
	if err == nil || !diags.HasErrors() {
		t.Fatalf("Reload of a broken file: err %v diags %v", err, diags)
	}
	if r.e.Generation() != before {
		t.Error("a rejected reload replaced the generation")
	}
	h := r.health(t)
	if h.Status != "degraded" || h.Generation != 1 || h.Rejected == nil || !strings.Contains(h.Rejected.Diagnostics, "broken.hcl") {
		t.Errorf("health after a rejected reload: %+v", h)
	}
	// The public surface says degraded, not why nor where.
	publicHealth(t, r.srv, http.StatusOK, "degraded")
	if m := r.get(t, "/metrics"); !strings.Contains(m, `cardflow_reloads_total{result="rejected"} 1`) {
		t.Errorf("/metrics lacks the rejected reload:\n%s", grepLines(m, "cardflow_reloads"))
	}
	// The old generation still serves.
	r.deliver(t, "00u1", "00u2")
	r.waitStatus(t, "on_create", store.Succeeded, 2)

	// Fixing the file recovers.
	if err := os.WriteFile(broken, []byte("flow \"x\" {\n  trigger \"lagged.poll\" {}\n  card \"c\" {\n    action = text.compose\n    text = \"x\"\n  }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if diags, err := r.e.Reload(context.Background()); err != nil {
		t.Fatalf("Reload after the fix: %v %s", err, diags.Error())
	}
	h = r.health(t)
	if h.Status != "ok" || h.Generation != 2 || len(h.Flows) != 3 || h.Rejected != nil {
		t.Errorf("health after the fix: %+v", h)
	}
	publicHealth(t, r.srv, http.StatusOK, "ok")
	if m := r.get(t, "/metrics"); !strings.Contains(m, `cardflow_reloads_total{result="accepted"} 2`) || !strings.Contains(m, "cardflow_generation 2") {
		t.Errorf("/metrics after the fix:\n%s", grepLines(m, "cardflow_"))
	}
}

// TestConcurrentReloads checks that reloads racing each other (the watcher
// and SIGHUP) are serialized: each one is a whole generation, counted once.
func TestConcurrentReloads(t *testing.T) {
	r := startEngine(t)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.e.Reload(context.Background()); err != nil {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d reloads failed", failed.Load())
	}
	if h := r.health(t); h.Generation != 9 {
		t.Errorf("generation %d after 1+8 reloads", h.Generation)
	}
}

// TestIntakeBusy checks backpressure: over the inbox limit, intake answers
// 503 with Retry-After and stores nothing.
func TestIntakeBusy(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flows.hcl"), []byte(flowsSource("http://127.0.0.1:1")), 0o644); err != nil {
		t.Fatal(err)
	}
	st := memory.New()
	defer st.Close()
	e := engine.New(engine.Options{
		Registry: engineRegistry(), Store: st, Paths: []string{dir}, InboxLimit: 2, Owner: "test",
		Host: lang.Host{LookupEnv: func(k string) (string, bool) { return endpointToken, k == "ENDPOINT_TOKEN" }},
	})
	if _, err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	// No workers run: the executions wait and the inbox fills.
	for _, u := range []string{"a", "b"} {
		if resp := invoke(t, srv, u); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("invoke %s: %d", u, resp.StatusCode)
		}
	}
	resp := invoke(t, srv, "c")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("over the limit: status %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	exs, _ := st.Executions(context.Background(), store.Filter{Limit: 100})
	if len(exs) != 2 {
		t.Errorf("%d executions stored, want 2", len(exs))
	}
	if h := e.Health().Detail.(map[string]any); h["inbox"] != int64(2) {
		t.Errorf("health inbox %v, want 2", h["inbox"])
	}
}
