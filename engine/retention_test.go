package engine_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
)

// TestRetentionPrunesInTheBackground runs an engine that keeps history for
// 50ms: an execution that finished is deleted while the engine runs, and
// the metric counts it.
func TestRetentionPrunesInTheBackground(t *testing.T) {
	dir := t.TempDir()
	src := `flow "ok" {
  trigger "http.endpoint" {
    token = env("ENDPOINT_TOKEN")
  }
  card "c" {
    action = text.compose
    text   = "x"
  }
}
`
	if err := os.WriteFile(filepath.Join(dir, "ok.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	e := engine.New(engine.Options{
		Registry: engineRegistry(), Store: st, Paths: []string{dir}, Owner: "test", Workers: 2,
		Host:      lang.Host{LookupEnv: func(string) (string, bool) { return "t0ken-value", true }},
		Retention: engine.Retention{Keep: 50 * time.Millisecond, Every: 20 * time.Millisecond},
	})
	if diags, err := e.Reload(context.Background()); err != nil {
		t.Fatalf("Reload: %v %s", err, diags.Error())
	}
	srv, admin := runEngine(t, e)
	ctx := context.Background()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/flows/ok/invoke", strings.NewReader(`{}`))
	req.Header.Set("X-Api-Client-Token", "t0ken-value")
	resp, err := srv.Client().Do(req)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("invoke: %v %v", resp, err)
	}
	resp.Body.Close()
	var id string
	deadline := time.Now().Add(10 * time.Second)
	for seen := false; ; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the execution was not run and pruned within 10s (seen: %v)", seen)
		}
		exs, err := st.Executions(ctx, store.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(exs) == 1 {
			seen, id = true, exs[0].ID
			continue
		}
		if seen {
			break
		}
	}
	if _, err := st.Execution(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Execution(%s) after the retention period: %v, want ErrNotFound", id, err)
	}
	m := httpGet(t, admin.URL+"/metrics")
	if !strings.Contains(m, "cardflow_executions_pruned_total 1") {
		t.Errorf("/metrics does not count the pruned execution:\n%s", grepLines(m, "cardflow_executions_pruned"))
	}
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// leaseSpy is a store that says when owner first holds the named lease.
type leaseSpy struct {
	*memory.Store
	name, owner string
	held        chan struct{}
	once        sync.Once
}

func (s *leaseSpy) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	ok, err := s.Store.AcquireLease(ctx, name, owner, ttl)
	if ok && name == s.name && owner == s.owner {
		s.once.Do(func() { close(s.held) })
	}
	return ok, err
}

// TestRetentionLeaseReleasedOnStop: an engine that stops gives the
// retention lease up, so that another replica prunes at its next round
// rather than after the lease's TTL (two rounds).
func TestRetentionLeaseReleasedOnStop(t *testing.T) {
	dir := t.TempDir()
	src := "flow \"ok\" {\n  trigger \"http.endpoint\" {\n    token = env(\"ENDPOINT_TOKEN\")\n  }\n  card \"c\" {\n    action = text.compose\n    text   = \"x\"\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "ok.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	st := &leaseSpy{Store: memory.New(), name: "cardflow.retention", owner: "r1", held: make(chan struct{})}
	defer st.Close()
	e := engine.New(engine.Options{
		Registry: engineRegistry(), Store: st, Paths: []string{dir}, Owner: "r1", Workers: 1,
		Host:      lang.Host{LookupEnv: func(string) (string, bool) { return "t0ken-value", true }},
		Retention: engine.Retention{Keep: time.Hour, Every: time.Hour},
	})
	if diags, err := e.Reload(context.Background()); err != nil {
		t.Fatalf("Reload: %v %s", err, diags.Error())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	select {
	case <-st.held:
	case <-time.After(10 * time.Second):
		cancel()
		<-done
		t.Fatal("the engine did not take the retention lease within 10s")
	}
	if ok, err := st.AcquireLease(context.Background(), "cardflow.retention", "r2", time.Hour); ok || err != nil {
		t.Fatalf("another replica took the lease the running engine holds: %v %v", ok, err)
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	if ok, err := st.AcquireLease(context.Background(), "cardflow.retention", "r2", time.Hour); !ok || err != nil {
		t.Errorf("after the engine stopped, another replica cannot take the retention lease (%v %v): it was not released", ok, err)
	}
}
