package runtime_test

import (
	"context"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/trigger"
)

// claimRecordingStore records what the pool's own claims returned and
// counts Pin calls.
type claimRecordingStore struct {
	store.Store
	mu      sync.Mutex
	claimed []string
	pins    int
}

func (s *claimRecordingStore) Claim(ctx context.Context, owner string, n int, lease time.Duration, opts store.ClaimOptions) ([]*store.Execution, error) {
	exs, err := s.Store.Claim(ctx, owner, n, lease, opts)
	s.mu.Lock()
	for _, e := range exs {
		s.claimed = append(s.claimed, e.ID)
	}
	s.mu.Unlock()
	return exs, err
}

func (s *claimRecordingStore) Pin(ctx context.Context, id, hash string) error {
	s.mu.Lock()
	s.pins++
	s.mu.Unlock()
	return s.Store.Pin(ctx, id, hash)
}

// blockingHarness is blockFlow whose block card waits for release and
// says when it starts.
func blockingHarness(t *testing.T, src string) (*harness, *claimRecordingStore, chan string, chan struct{}) {
	h := newHarness(t, src)
	st := &claimRecordingStore{Store: h.store}
	h.exec.Store = st
	started, release := make(chan string, 8), make(chan struct{})
	h.fake.steps["block"] = func(ctx context.Context, n int, call *connector.Call) (cty.Value, error) {
		started <- "block"
		select {
		case <-release:
			return echo(n, call), nil
		case <-ctx.Done():
			return cty.NilVal, ctx.Err()
		}
	}
	return h, st, started, release
}

// runPool runs pool until the returned stop is called, and waits until it
// takes work.
func runPool(t *testing.T, pool *runtime.Pool) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pool.Run(ctx, 50*time.Millisecond) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := pool.Reserve(1)
		n := r.Len()
		r.Start(nil)
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the pool reserved no worker 5s after Run")
		}
		time.Sleep(time.Millisecond)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	t.Cleanup(stop)
	return stop
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not happen within 5s", what)
		panic("unreachable")
	}
}

// TestPoolRunsReservedExecutions: an execution claimed by the intake as it
// enqueued it runs on the worker it reserved as one the pool claimed runs,
// its lease renewed, with no claim or pin of its own; reservations take
// only idle workers, and those not used are given back.
func TestPoolRunsReservedExecutions(t *testing.T) {
	h, st, started, release := blockingHarness(t, blockFlow)
	const lease = 150 * time.Millisecond
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 2, Lease: lease, Poll: time.Hour}
	if r := pool.Reserve(1); r.Len() != 0 {
		t.Fatalf("Reserve before Run = %d workers, want none", r.Len())
	}
	runPool(t, pool)

	r := pool.Reserve(5)
	if r.Len() != 2 {
		t.Fatalf("Reserve(5) of 2 idle workers = %d", r.Len())
	}
	if r2 := pool.Reserve(1); r2.Len() != 0 {
		t.Errorf("Reserve with every worker reserved = %d workers, want none", r2.Len())
	}
	f := h.gen.Flows["f"]
	res, err := st.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{}`)}}, store.EnqueueOptions{Claim: r.Claim(pinTo(f))})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Claimed == nil {
		t.Fatal("Enqueue with a reservation's Claim claimed nothing")
	}
	r.Start([]trigger.Claimed{{Execution: res[0].Claimed, Flow: f}})
	id := res[0].ID
	waitFor(t, started, "the first card of the handed-over execution")

	r = pool.Reserve(5)
	if r.Len() != 1 {
		t.Errorf("Reserve(5) with one worker busy = %d, want the 1 given back", r.Len())
	}
	r.Start(nil)
	if n := pool.Running(); n != 1 {
		t.Errorf("Running = %d, want 1", n)
	}

	// Blocked for several leases: renewed, not lost to another claimant.
	time.Sleep(3 * lease)
	if got, err := st.Claim(context.Background(), "r2", 1, time.Minute, store.ClaimOptions{}); err != nil || len(got) != 0 {
		t.Errorf("another owner claimed %d executions (%v) while r1 runs it", len(got), err)
	}
	close(release)
	ex := waitFinal(t, st, id)
	if ex.Status != store.Succeeded || ex.Claims != 1 || ex.DefinitionHash != h.gen.Flows["f"].Hash {
		t.Errorf("execution ended {Status:%s Claims:%d DefinitionHash:%s}, want {succeeded 1 %s}",
			ex.Status, ex.Claims, ex.DefinitionHash, h.gen.Flows["f"].Hash)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if slices.Contains(st.claimed, id) || st.pins != 0 {
		t.Errorf("the handed-over execution was claimed by the pool (%v) or pinned (%d Pin calls)", st.claimed, st.pins)
	}
}

// TestPoolReservedExecutionsDrain: on shutdown a handed-over execution is
// drained like any other: interrupted after the drain time and released
// for the next start; and nothing is reserved once the pool drains.
func TestPoolReservedExecutionsDrain(t *testing.T) {
	h, st, started, _ := blockingHarness(t, blockFlow)
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 2, Poll: time.Hour}
	stop := runPool(t, pool)
	r := pool.Reserve(1)
	f := h.gen.Flows["f"]
	res, err := st.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{}`)}}, store.EnqueueOptions{Claim: r.Claim(pinTo(f))})
	if err != nil || res[0].Claimed == nil {
		t.Fatalf("Enqueue with a Claim = %+v, %v, want it claimed", res, err)
	}
	r.Start([]trigger.Claimed{{Execution: res[0].Claimed, Flow: f}})
	waitFor(t, started, "the first card of the handed-over execution")
	stop()
	if r := pool.Reserve(1); r.Len() != 0 {
		t.Errorf("Reserve after shutdown = %d workers, want none", r.Len())
	}
	ex, err := st.Execution(context.Background(), res[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != store.Pending || ex.Owner != "" || ex.Claims != 0 {
		t.Errorf("after shutdown the execution is {Status:%s Owner:%q Claims:%d}, want released: {pending \"\" 0}", ex.Status, ex.Owner, ex.Claims)
	}
}

// TestPoolReservationGivenBackWakes: a reservation given back unused wakes
// the pool that found no idle worker, which then claims what is pending.
func TestPoolReservationGivenBackWakes(t *testing.T) {
	h, st, started, release := blockingHarness(t, blockFlow)
	close(release)
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 1, Poll: time.Hour}
	runPool(t, pool)
	r := pool.Reserve(1)
	res, err := st.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The pool, woken while its one worker is reserved, finds none idle;
	// giving the reservation back wakes it again.
	pool.Wake()
	time.Sleep(20 * time.Millisecond)
	r.Start(nil)
	waitFor(t, started, "the first card of the pending execution")
	if ex := waitFinal(t, st, res[0].ID); ex.Status != store.Succeeded {
		t.Errorf("execution ended %s, want succeeded", ex.Status)
	}
}

// pinTo is a claim's pin that pins every execution to f.
func pinTo(f *plan.Flow) func(string) string {
	return func(string) string { return f.Hash }
}

// waitFinal waits until execution id has a final status and returns it.
func waitFinal(t *testing.T, st store.Store, id string) *store.Execution {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ex, err := st.Execution(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Status.Final() {
			return ex
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution %s still %s after 5s", id, ex.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestPoolClaimsWhenAWorkerFrees: work that found every worker busy is
// claimed as soon as one frees, not at the next poll.
func TestPoolClaimsWhenAWorkerFrees(t *testing.T) {
	h, st, started, release := blockingHarness(t, blockFlow)
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 1, Poll: time.Hour}
	runPool(t, pool)
	res, err := st.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "1", Payload: []byte(`{}`)}, {Flow: "f", DedupKey: "2", Payload: []byte(`{}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pool.Wake()
	waitFor(t, started, "the first execution's first card")
	release <- struct{}{}
	waitFor(t, started, "the second execution's first card, once the first freed the worker")
	close(release)
	for _, r := range res {
		if ex := waitFinal(t, st, r.ID); ex.Status != store.Succeeded {
			t.Errorf("execution %s ended %s, want succeeded", r.ID, ex.Status)
		}
	}
}

// countingResolver counts Resolve calls by whether they named a hash.
type countingResolver struct {
	gen             *plan.Generation
	current, byHash atomic.Int32
}

func (r *countingResolver) Resolve(_ context.Context, flow, hash string) (*plan.Flow, error) {
	if hash == "" {
		r.current.Add(1)
	} else {
		r.byHash.Add(1)
	}
	return r.gen.Flows[flow], nil
}

// TestPoolResolvesOnce: a fresh execution's definition is resolved once
// per execution: never by the pool when the intake handed it over with
// its definition, once (for the claim's pin) when the pool claimed it.
func TestPoolResolvesOnce(t *testing.T) {
	h := newHarness(t, pureFlow)
	res := &countingResolver{gen: h.gen}
	pool := &runtime.Pool{Executor: h.exec, Resolver: res, Owner: "r1", Workers: 2, Poll: time.Hour}
	runPool(t, pool)
	f := h.gen.Flows["f"]

	r := pool.Reserve(1)
	handed, err := h.store.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "handed", Payload: []byte(`{"user":"u1"}`)}}, store.EnqueueOptions{Claim: r.Claim(pinTo(f))})
	if err != nil || handed[0].Claimed == nil {
		t.Fatalf("Enqueue with a Claim = %+v, %v, want it claimed", handed, err)
	}
	r.Start([]trigger.Claimed{{Execution: handed[0].Claimed, Flow: f}})
	if ex := waitFinal(t, h.store, handed[0].ID); ex.Status != store.Succeeded {
		t.Fatalf("handed-over execution ended %s", ex.Status)
	}
	if c, b := res.current.Load(), res.byHash.Load(); c != 0 || b != 0 {
		t.Errorf("a handed-over execution was resolved %d times (current) and %d (by hash), want 0", c, b)
	}

	claimed, err := h.store.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "claimed", Payload: []byte(`{"user":"u2"}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pool.Wake()
	if ex := waitFinal(t, h.store, claimed[0].ID); ex.Status != store.Succeeded {
		t.Fatalf("claimed execution ended %s", ex.Status)
	}
	if c, b := res.current.Load(), res.byHash.Load(); c != 1 || b != 0 {
		t.Errorf("an execution the pool claimed was resolved %d times (current) and %d (by hash), want 1 and 0", c, b)
	}
}

// TestPoolFreed: Freed is closed when a busy worker is freed (the intake
// holds deliveries on it under overload), not before.
func TestPoolFreed(t *testing.T) {
	h, st, started, release := blockingHarness(t, blockFlow)
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 1, Poll: time.Hour}
	runPool(t, pool)
	if _, err := st.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{}`)}}, store.EnqueueOptions{}); err != nil {
		t.Fatal(err)
	}
	pool.Wake()
	waitFor(t, started, "the first card of the claimed execution")
	freed := pool.Freed()
	select {
	case <-freed:
		t.Fatal("Freed was closed while the only worker was busy")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	waitFor(t, freed, "Freed closing as the worker ends its execution")
	if r := pool.Reserve(1); r.Len() != 1 {
		t.Errorf("Reserve after Freed = %d workers, want the one freed", r.Len())
	} else {
		r.Start(nil)
	}
}

// TestPoolReusesWorkerGoroutines: executions that follow one another run
// on the same goroutine, whose stack has grown already, not each on a new
// one; and that goroutine ends when the pool stops.
func TestPoolReusesWorkerGoroutines(t *testing.T) {
	h := newHarness(t, blockFlow)
	ran := make(chan string, 8)
	h.fake.steps["block"] = func(ctx context.Context, n int, call *connector.Call) (cty.Value, error) {
		buf := make([]byte, 64)
		buf = buf[:goruntime.Stack(buf, false)] // "goroutine 42 [running]:..."
		ran <- strings.Fields(string(buf))[1]
		return echo(n, call), nil
	}
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 4, Poll: time.Hour}
	stop := runPool(t, pool)
	var goroutines []string
	for i := range 3 {
		res, err := h.store.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: strconv.Itoa(i), Payload: []byte(`{}`)}}, store.EnqueueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pool.Wake()
		goroutines = append(goroutines, waitFor(t, ran, "the execution's first card"))
		waitFinal(t, h.store, res[0].ID)
		// The execution is final in the store before its worker is back
		// waiting for the next one: a spawn meanwhile starts a goroutine.
		for deadline := time.Now().Add(5 * time.Second); !goroutineWaiting(goroutines[i]); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("worker goroutine %s does not wait for work 5s after its execution ended", goroutines[i])
			}
		}
	}
	if goroutines[0] != goroutines[1] || goroutines[1] != goroutines[2] {
		t.Errorf("executions one after another ran on goroutines %v, want one reused", goroutines)
	}
	stop()
	deadline := time.Now().Add(5 * time.Second)
	for goroutineRunning(goroutines[0]) {
		if time.Now().After(deadline) {
			t.Fatalf("worker goroutine %s still runs 5s after the pool stopped", goroutines[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// goroutineWaiting reports whether goroutine id is a worker blocked in
// its select, waiting for its next execution: the first frame of ours on
// its stack is worker's (an execution's own selects are deeper).
func goroutineWaiting(id string) bool {
	buf := make([]byte, 1<<20)
	buf = buf[:goruntime.Stack(buf, true)]
	_, block, ok := strings.Cut(string(buf), "goroutine "+id+" [select")
	if !ok {
		return false
	}
	block, _, _ = strings.Cut(block, "\n\n")
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, "github.com/cardflow/") {
			return strings.HasPrefix(line, "github.com/cardflow/cardflow/engine/runtime.worker(")
		}
	}
	return false
}

// goroutineRunning reports whether goroutine id exists.
func goroutineRunning(id string) bool {
	buf := make([]byte, 1<<20)
	buf = buf[:goruntime.Stack(buf, true)]
	return strings.Contains(string(buf), "goroutine "+id+" [")
}
