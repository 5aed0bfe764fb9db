package runtime_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
)

// downStore is a memory store whose claims fail while down is set, as a
// PostgreSQL store's do while the server cannot be reached.
type downStore struct {
	store.Store
	down   atomic.Bool
	claims atomic.Int32
}

func (s *downStore) Claim(ctx context.Context, owner string, max int, lease time.Duration, opts store.ClaimOptions) ([]*store.Execution, error) {
	s.claims.Add(1)
	if s.down.Load() {
		return nil, errors.New("failed to connect to `host=db user=cardflow database=cardflow`: dial error (connection refused)")
	}
	return s.Store.Claim(ctx, owner, max, lease, opts)
}

// records is a slog.Handler that keeps what it is given.
type records struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *records) WithGroup(string) slog.Handler            { return r }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	r.recs = append(r.recs, rec.Clone())
	r.mu.Unlock()
	return nil
}

// about returns the records whose message mentions claiming.
func (r *records) about(word string) []slog.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []slog.Record
	for _, rec := range r.recs {
		if strings.Contains(rec.Message, word) {
			out = append(out, rec)
		}
	}
	return out
}

func failedClaims(rec slog.Record) int {
	n, _ := strconv.Atoi(attr(rec, "failed_claims"))
	return n
}

func attr(rec slog.Record, key string) string {
	var v string
	rec.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value.String()
			return false
		}
		return true
	})
	return v
}

// claimWatch records what the pool tells its ClaimWatcher.
type claimWatch struct {
	started, failed, succeeded atomic.Int32
}

func (w *claimWatch) ClaimStarted(time.Time) { w.started.Add(1) }
func (w *claimWatch) ClaimEnded(err error, _ time.Time) {
	if err != nil {
		w.failed.Add(1)
	} else {
		w.succeeded.Add(1)
	}
}

// TestPoolLogsClaimOutageOnce: claims that fail many times a second (a
// database outage) are logged once as they start to fail, again only
// after a minute (saying for how long and how many failed), and once when
// a claim works again; the ClaimWatcher hears of every claim.
func TestPoolLogsClaimOutageOnce(t *testing.T) {
	h := newHarness(t, pureFlow)
	st := &downStore{Store: h.store}
	st.down.Store(true)
	h.exec.Store = st
	logs := &records{}
	watch := &claimWatch{}
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 2,
		Poll: time.Millisecond, Logger: slog.New(logs), Claims: watch}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pool.Run(ctx, time.Second) }()
	defer func() {
		cancel()
		<-done
	}()
	claimsPast := func(n int32) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for st.claims.Load() < n {
			if time.Now().After(deadline) {
				t.Fatalf("the pool made %d claims in 5s, want %d", st.claims.Load(), n)
			}
			time.Sleep(time.Millisecond)
		}
	}

	claimsPast(50)
	fails := logs.about("claiming")
	if len(fails) != 1 || fails[0].Level != slog.LevelError || fails[0].Message != "claiming executions failed" ||
		!strings.Contains(attr(fails[0], "err"), "connection refused") {
		t.Fatalf("after %d failed claims the log has %d lines about claiming, want one error with the cause: %v", st.claims.Load(), len(fails), fails)
	}

	h.clock.advance(61 * time.Second)
	claimsPast(st.claims.Load() + 50)
	fails = logs.about("claiming")
	if len(fails) != 2 || fails[1].Level != slog.LevelError || fails[1].Message != "claiming executions still fails" ||
		attr(fails[1], "for") != "1m1s" || failedClaims(fails[1]) < 50 {
		t.Fatalf("a minute into the outage the log has %d lines about claiming, want a second that says for how long and how many: %v", len(fails), fails)
	}

	st.down.Store(false)
	claimsPast(st.claims.Load() + 50)
	lines := logs.about("claiming")
	if len(lines) != 3 {
		t.Fatalf("after claims work again the log has %d lines about claiming, want 3: %v", len(lines), lines)
	}
	if back := lines[2]; back.Level != slog.LevelInfo || back.Message != "claiming executions works again after 1m1s" {
		t.Errorf("recovery logged as %s %q, want INFO \"claiming executions works again after 1m1s\"", back.Level, back.Message)
	}
	if watch.failed.Load() < 100 || watch.succeeded.Load() < 1 || watch.started.Load() < watch.failed.Load()+watch.succeeded.Load()-1 {
		t.Errorf("the ClaimWatcher heard of %d started, %d failed, %d succeeded claims", watch.started.Load(), watch.failed.Load(), watch.succeeded.Load())
	}
}
