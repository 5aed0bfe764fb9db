package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine"
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
	st := &fullDisk{Store: memory.New()}
	defer st.Close()
	e := healthEngine(t, st, nil)
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
	st := &fullDisk{Store: memory.New()}
	defer st.Close()
	e := healthEngine(t, st, nil)
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

// unreachable is a memory store whose claims, or inbox depth reads, fail
// while down is set, as a PostgreSQL store's do while its server cannot be
// reached.
type unreachable struct {
	*memory.Store
	claimsDown, readsDown atomic.Bool
	calls                 atomic.Int32
}

var errUnreachable = errors.New("failed to connect to `host=db user=cardflow database=cardflow`: dial error (connection refused)")

func (s *unreachable) Claim(ctx context.Context, owner string, max int, lease time.Duration, opts store.ClaimOptions) ([]*store.Execution, error) {
	s.calls.Add(1)
	if s.claimsDown.Load() {
		return nil, errUnreachable
	}
	return s.Store.Claim(ctx, owner, max, lease, opts)
}

func (s *unreachable) Depth(ctx context.Context) (int, error) {
	s.calls.Add(1)
	if s.readsDown.Load() {
		return 0, errUnreachable
	}
	return s.Store.Depth(ctx)
}

// TestHealthzUnavailableWhileStoreUnreachable: a replica whose store
// cannot be reached answers /healthz 503 although no event arrived, when
// its worker pool's claims fail and when its inbox depth reads fail (as
// they do while every worker is busy and none claims), says why on
// /api/v1/health, and answers 200 again once they work; /healthz itself
// never asks the store.
func TestHealthzUnavailableWhileStoreUnreachable(t *testing.T) {
	for _, tc := range []struct {
		name, why string
		down      func(*unreachable) *atomic.Bool
	}{
		{"claims", "claiming executions: failed to connect", func(s *unreachable) *atomic.Bool { return &s.claimsDown }},
		{"reads", "counting the inbox: failed to connect", func(s *unreachable) *atomic.Bool { return &s.readsDown }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &unreachable{Store: memory.New()}
			t.Cleanup(func() { _ = st.Close() })
			healthWhileDown(t, st, tc.down(st), tc.why)
		})
	}
}

func healthWhileDown(t *testing.T, st *unreachable, down *atomic.Bool, why string) {
	e := healthEngine(t, st, nil)
	srv, admin := runEngine(t, e)
	healthz := func() int {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	waitFor := func(code int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for healthz() != code {
			if time.Now().After(deadline) {
				t.Fatalf("/healthz did not answer %d within 5s", code)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	waitFor(http.StatusOK)
	down.Store(true)
	waitFor(http.StatusServiceUnavailable)
	publicHealth(t, srv, http.StatusServiceUnavailable, "unavailable")
	resp, err := http.Get(admin.URL + "/api/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&h)
	resp.Body.Close()
	sh, _ := h["store"].(map[string]any)
	if resp.StatusCode != http.StatusServiceUnavailable || h["status"] != "unavailable" || sh["status"] != "failing" ||
		!strings.HasPrefix(fmt.Sprint(sh["error"]), why) {
		t.Errorf("/api/v1/health while the store cannot be reached: %d %v %v, want 503, unavailable, failing with %q", resp.StatusCode, h["status"], sh, why)
	}
	src := &engine.ConsoleSource{Store: st, Engine: e}
	if ch := src.Health(context.Background()); !strings.HasPrefix(ch.Status, "unavailable") {
		t.Errorf("while the store cannot be reached the console's health is %q, want unavailable", ch.Status)
	}
	// /healthz answers from what the periodic uses found: 20 requests in a
	// burst ask the store nothing (the claims and reads go on at their pace).
	calls := st.calls.Load()
	for range 20 {
		healthz()
	}
	if n := st.calls.Load() - calls; n >= 20 {
		t.Errorf("the store was asked %d times during 20 /healthz requests", n)
	}

	down.Store(false)
	waitFor(http.StatusOK)
	publicHealth(t, srv, http.StatusOK, "ok")
}
