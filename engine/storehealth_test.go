package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
)

// fullDisk is a memory store whose enqueues fail while full is set, as a
// SQLite store's do when the disk is full.
type fullDisk struct {
	*memory.Store
	full     atomic.Bool
	attempts atomic.Int32
}

func (s *fullDisk) Enqueue(ctx context.Context, evs []store.Event, opts store.EnqueueOptions) ([]store.Enqueued, error) {
	s.attempts.Add(1)
	if s.full.Load() {
		return nil, errors.New("database or disk is full (13)")
	}
	return s.Store.Enqueue(ctx, evs, opts)
}

// TestIntakeRefusesWhileWritesFail: after a failed write, intake refuses
// events (503) without trying the store, /healthz answers 503 with the
// status word alone, and the admin /api/v1/health 503 with the store's
// status and error.
func TestIntakeRefusesWhileWritesFail(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flows.hcl"), []byte(flowsSource("http://127.0.0.1:1")), 0o644); err != nil {
		t.Fatal(err)
	}
	st := &fullDisk{Store: memory.New()}
	defer st.Close()
	e := engine.New(engine.Options{
		Registry: engineRegistry(), Store: st, Paths: []string{dir}, Owner: "test",
		Host: lang.Host{LookupEnv: func(k string) (string, bool) { return endpointToken, k == "ENDPOINT_TOKEN" }},
	})
	if _, err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	admin := httptest.NewServer(e.Admin(server.AdminOptions{Auth: server.LoopbackTrust{}}))
	defer admin.Close()
	health := func() (int, map[string]any) {
		resp, err := http.Get(admin.URL + "/api/v1/health")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var h map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&h)
		return resp.StatusCode, h
	}
	if code, h := health(); code != http.StatusOK || h["store"].(map[string]any)["status"] != "ok" {
		t.Fatalf("healthy: /api/v1/health %d %v", code, h["store"])
	}
	publicHealth(t, srv, http.StatusOK, "ok")
	st.full.Store(true)
	if resp := invoke(t, srv, "a"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("disk full: invoke %d, want 503", resp.StatusCode)
	}
	tried := st.attempts.Load()
	if resp := invoke(t, srv, "b"); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("after a failed write: invoke %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if st.attempts.Load() != tried {
		t.Error("intake tried the store again within the cooldown")
	}
	code, h := health()
	sh := h["store"].(map[string]any)
	if code != http.StatusServiceUnavailable || h["status"] != "unavailable" || sh["status"] != "failing" || sh["error"] != "database or disk is full (13)" {
		t.Errorf("/api/v1/health while writes fail: %d %v %v", code, h["status"], sh)
	}
	// The public surface says unavailable, never the store's error.
	publicHealth(t, srv, http.StatusServiceUnavailable, "unavailable")
}

// TestConsoleHealthShowsTheStore: the console's health page reports what
// /healthz does while the store's writes fail, not "ok".
func TestConsoleHealthShowsTheStore(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flows.hcl"), []byte(flowsSource("http://127.0.0.1:1")), 0o644); err != nil {
		t.Fatal(err)
	}
	st := &fullDisk{Store: memory.New()}
	defer st.Close()
	e := engine.New(engine.Options{
		Registry: engineRegistry(), Store: st, Paths: []string{dir}, Owner: "test",
		Host: lang.Host{LookupEnv: func(k string) (string, bool) { return endpointToken, k == "ENDPOINT_TOKEN" }},
	})
	if _, err := e.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	src := &engine.ConsoleSource{Store: st, Engine: e}
	if h := src.Health(context.Background()); h.Status != "ok" || h.Store != "ok" {
		t.Fatalf("healthy: the console's health is %q, store %q; want ok, ok", h.Status, h.Store)
	}
	st.full.Store(true)
	if resp := invoke(t, srv, "a"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("disk full: invoke %d, want 503", resp.StatusCode)
	}
	h := src.Health(context.Background())
	if !strings.HasPrefix(h.Status, "unavailable") || h.Store != "failing: database or disk is full (13)" {
		t.Errorf("while writes fail the console's health is %q, store %q; want unavailable, failing with the error", h.Status, h.Store)
	}
}
