package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/zclconf/go-cty/cty"
)

// losingStore is a memory store whose leases can be made to be lost, as
// when this process stalled and another worker claimed its executions.
type losingStore struct {
	store.Store
	lost atomic.Bool
}

func (s *losingStore) Renew(ctx context.Context, owner string, ids []string, lease time.Duration) error {
	if s.lost.Load() {
		return fmt.Errorf("renewing %d executions: %w", len(ids), store.ErrLeaseLost)
	}
	return s.Store.Renew(ctx, owner, ids, lease)
}

const blockFlow = `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "block" {
    action     = fake.step
    connection = connection.fake.main
    id         = "block"
  }
  card "after" {
    action     = fake.step
    connection = connection.fake.main
    id         = "after"
  }
}
`

// TestPoolStopsExecutionsWhoseLeaseIsLost: an execution whose lease another
// worker took is interrupted at once and not finished by this process.
func TestPoolStopsExecutionsWhoseLeaseIsLost(t *testing.T) {
	h := newHarness(t, blockFlow)
	st := &losingStore{Store: h.store}
	h.exec.Store = st
	started := make(chan struct{})
	cause := make(chan error, 1)
	var once sync.Once
	h.fake.steps["block"] = func(ctx context.Context, _ int, _ *connector.Call) (cty.Value, error) {
		// The fake store lets this process release the execution it lost,
		// and its freed worker may claim it again: the card may run more
		// than once, and is stopped each time.
		once.Do(func() { close(started) })
		<-ctx.Done()
		select {
		case cause <- context.Cause(ctx):
		default:
		}
		return cty.NilVal, ctx.Err()
	}
	res, err := st.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{"user":"ann"}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 1, Lease: 150 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pool.Run(ctx, time.Second) }()
	defer func() {
		cancel()
		<-done
	}()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the execution did not start")
	}
	st.lost.Store(true)
	select {
	case err := <-cause:
		if !errors.Is(err, runtime.ErrLeaseLost) {
			t.Fatalf("the card was stopped by %v, want ErrLeaseLost", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an execution whose lease was lost kept running")
	}
	time.Sleep(100 * time.Millisecond)
	ex, err := st.Execution(context.Background(), res[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status.Final() {
		t.Errorf("this process finished an execution it no longer owns: %s", ex.Status)
	}
	if n := h.fake.counts()["after"]; n != 0 {
		t.Errorf("the card after the interruption ran %d times", n)
	}
}

// TestPoolRenewsLeasesWhileDraining: at shutdown the pool waits for the
// running executions (the drain) and keeps their leases while it does, so
// that no other worker claims an execution that still runs here.
func TestPoolRenewsLeasesWhileDraining(t *testing.T) {
	h := newHarness(t, blockFlow)
	const lease = 300 * time.Millisecond
	started, release := make(chan struct{}), make(chan struct{})
	h.fake.steps["block"] = func(ctx context.Context, n int, call *connector.Call) (cty.Value, error) {
		close(started)
		<-release
		return echo(n, call), nil
	}
	res, err := h.store.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{"user":"ann"}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 1, Lease: lease}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pool.Run(ctx, 10*time.Second) }()
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the execution did not start")
	}
	cancel() // shutdown: the pool drains
	// Four leases later, another worker finds nothing to claim.
	time.Sleep(4 * lease)
	if got, err := h.store.Claim(context.Background(), "r2", 1, time.Minute, store.ClaimOptions{}); err != nil || len(got) != 0 {
		t.Fatalf("while r1 drained, r2 claimed %d executions (err %v): r1's lease ran out", len(got), err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ex, err := h.store.Execution(context.Background(), res[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != store.Succeeded || ex.Claims != 1 {
		t.Errorf("execution %s after the drain with %d claims, want succeeded with 1", ex.Status, ex.Claims)
	}
}

// lateClaimStore is a memory store whose claim commits only once the
// pool's shutdown has begun, and fails with the context of the claim if
// that has ended by then, as a group commit does.
type lateClaimStore struct {
	store.Store
	shutdown chan struct{}
	claimed  chan struct{}
	once     sync.Once
}

func (s *lateClaimStore) Claim(ctx context.Context, owner string, n int, lease time.Duration, opts store.ClaimOptions) ([]*store.Execution, error) {
	<-s.shutdown
	exs, err := s.Store.Claim(context.Background(), owner, n, lease, opts)
	if len(exs) > 0 {
		s.once.Do(func() { close(s.claimed) })
	}
	if err == nil {
		err = ctx.Err()
	}
	return exs, err
}

// TestPoolReleasesWhatItClaimsAtShutdown: a claim that commits as the pool
// shuts down is not lost: the executions it took are released, not left
// claimed until their lease ends.
func TestPoolReleasesWhatItClaimsAtShutdown(t *testing.T) {
	h := newHarness(t, blockFlow)
	st := &lateClaimStore{Store: h.store, shutdown: make(chan struct{}), claimed: make(chan struct{})}
	h.exec.Store = st
	res, err := st.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{"user":"ann"}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 1, Lease: time.Hour, Poll: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pool.Run(ctx, time.Second) }()
	time.Sleep(20 * time.Millisecond) // the claim loop is waiting in Claim
	cancel()
	close(st.shutdown)
	select {
	case <-st.claimed:
	case <-time.After(5 * time.Second):
		t.Fatal("the claim did not commit")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ex, err := h.store.Execution(context.Background(), res[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != store.Pending || ex.Owner != "" {
		t.Errorf("after the shutdown the execution is %s owned by %q, want pending and free to claim", ex.Status, ex.Owner)
	}
	if n := h.fake.counts()["block"]; n != 0 {
		t.Errorf("a card ran %d times after the shutdown began", n)
	}
}

// slowResolver reads a definition as a store that does not answer would:
// until the execution's context ends. The claim's pin (a context that
// never ends) gets no definition at once.
type slowResolver struct {
	reading chan struct{}
	once    *sync.Once
}

func (r slowResolver) Resolve(ctx context.Context, flow, hash string) (*plan.Flow, error) {
	if ctx.Done() == nil {
		return nil, errors.New("no definition while claiming")
	}
	r.once.Do(func() { close(r.reading) })
	<-ctx.Done()
	return nil, fmt.Errorf("definition %q of flow %s: %w", hash, flow, ctx.Err())
}

// TestPoolReleasesWhatShutdownInterruptedBeforeItStarted: an execution
// whose definition was still being read when the drain ran out is given
// back to resume later, not failed for good.
func TestPoolReleasesWhatShutdownInterruptedBeforeItStarted(t *testing.T) {
	h := newHarness(t, blockFlow)
	res, err := h.store.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{"user":"ann"}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := slowResolver{reading: make(chan struct{}), once: new(sync.Once)}
	pool := &runtime.Pool{Executor: h.exec, Resolver: r, Owner: "r1", Workers: 1, Lease: time.Hour, Poll: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pool.Run(ctx, 50*time.Millisecond) }()
	select {
	case <-r.reading:
	case <-time.After(5 * time.Second):
		t.Fatal("the execution was not started")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	ex, err := h.store.Execution(context.Background(), res[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != store.Pending || ex.Owner != "" {
		t.Errorf("after the drain the execution is %s (owner %q, error %q), want pending and free to claim", ex.Status, ex.Owner, ex.Error)
	}
}

// stalledRenewStore is a memory store whose renewals hang, as when they
// queue behind a writer that does not keep up.
type stalledRenewStore struct{ store.Store }

func (s *stalledRenewStore) Renew(ctx context.Context, _ string, _ []string, _ time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}

// TestPoolRunsLapsedExecutionOnce: when the lease of an execution running
// here lapses and this process's own claim takes it again, the pool does
// not start a second copy of it beside the first.
func TestPoolRunsLapsedExecutionOnce(t *testing.T) {
	h := newHarness(t, blockFlow)
	st := &stalledRenewStore{Store: h.store}
	h.exec.Store = st
	const lease = 150 * time.Millisecond
	h.fake.steps["block"] = func(ctx context.Context, n int, call *connector.Call) (cty.Value, error) {
		select {
		case <-time.After(4 * lease): // the lease lapses meanwhile
		case <-ctx.Done():
			return cty.NilVal, ctx.Err()
		}
		return echo(n, call), nil
	}
	res, err := st.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{"user":"ann"}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 4, Lease: lease, Poll: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pool.Run(ctx, time.Second) }()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ex, err := st.Execution(context.Background(), res[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Status.Final() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution still %s", ex.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if diff := cmp.Diff(map[string]int{"block": 1, "after": 1}, h.fake.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}
