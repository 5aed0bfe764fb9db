package trigger_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/cardflow/cardflow/engine/trigger"
	"github.com/google/go-cmp/cmp"
)

// idleWorkers is trigger.Workers with n idle workers: it records what the
// intake hands them.
type idleWorkers struct {
	mu      sync.Mutex
	idle    int
	started []trigger.Claimed
	wakes   int
	freed   chan struct{}
}

// free makes n more workers idle and says so to whoever waits.
func (w *idleWorkers) free(n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.idle += n
	if w.freed != nil {
		close(w.freed)
		w.freed = nil
	}
}

func (w *idleWorkers) Freed() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.freed == nil {
		w.freed = make(chan struct{})
	}
	return w.freed
}

func (w *idleWorkers) Hold(string, string, *trigger.Received) bool { return false }
func (w *idleWorkers) Release(string, string)                      {}

func (w *idleWorkers) Wake() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.wakes++
}

func (w *idleWorkers) Reserve(n int) trigger.Reservation {
	w.mu.Lock()
	defer w.mu.Unlock()
	got := min(n, w.idle)
	w.idle -= got
	return &reserved{w: w, n: got}
}

type reserved struct {
	w *idleWorkers
	n int
}

func (r *reserved) Len() int { return r.n }

func (r *reserved) Claim(pin func(string) string) store.Claimant {
	return store.Claimant{Owner: "w", Lease: time.Minute, Max: r.n, Pin: pin}
}

func (r *reserved) Start(c []trigger.Claimed) {
	r.w.mu.Lock()
	defer r.w.mu.Unlock()
	r.w.started = append(r.w.started, c...)
	r.w.idle += r.n - len(c)
}

func event(flow, key string) store.Event {
	return store.Event{Flow: flow, DedupKey: key, Type: "fake", Payload: []byte(`{"n":1,"login":"Kari@Example.com"}`)}
}

// TestIntakePushHandsOver: pushed events are claimed for idle workers in
// their own write and handed over with the definition they were pinned to,
// resolved before the write; the rest stay pending and wake the workers; a
// flow with a concurrency limit is left pending for a slot.
func TestIntakePushHandsOver(t *testing.T) {
	st := memory.New()
	defer st.Close()
	gen := loadGen(t, registry(&fakePoller{}, time.Hour), flowSrc("free", ""),
		strings.Replace(flowSrc("limited", ""), `flow "limited" {`, "flow \"limited\" {\n  concurrency = 1", 1))
	w := &idleWorkers{idle: 2}
	in := &trigger.Intake{Store: st, Workers: w, Generation: func() *plan.Generation { return gen }}

	res, err := in.Push(context.Background(), []store.Event{event("limited", "l1"), event("free", "a"), event("free", "b"), event("free", "c")})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Claimed != nil {
		t.Error("an execution of a flow with a concurrency limit was claimed")
	}
	if len(w.started) != 2 {
		t.Fatalf("%d executions handed over, want 2 (the idle workers)", len(w.started))
	}
	for i, c := range w.started {
		if c.Flow != gen.Flows["free"] || c.Execution.DefinitionHash != c.Flow.Hash || c.Execution.ID != res[i+1].ID ||
			c.Execution.Status != store.Running || c.Execution.Owner != "w" {
			t.Errorf("handed over %+v on flow %p, want execution %s of free running for w on %p", c.Execution, c.Flow, res[i+1].ID, gen.Flows["free"])
		}
	}
	if w.idle != 0 || w.wakes != 1 || in.Depth() != 2 {
		t.Errorf("idle %d, wakes %d, depth %d; want 0, 1 and 2 (l1 and c pending)", w.idle, w.wakes, in.Depth())
	}
	ex, err := st.Execution(context.Background(), res[1].ID)
	if err != nil || len(ex.Terms) == 0 {
		t.Errorf("the intake gave no correlation terms: %v %v", ex, err)
	}

	// The same events again: acknowledged, nothing new, no one woken.
	again, err := in.Push(context.Background(), []store.Event{event("free", "a")})
	if err != nil || !again[0].Duplicate || again[0].ID != res[1].ID || w.wakes != 1 {
		t.Errorf("a repeated event: %+v, %v, %d wakes", again, err, w.wakes)
	}
}

// TestIntakeAckWait: a pushed event that finds every worker busy is held
// until one is freed, and then handed to it, claimed in its own write; one
// for which no worker is freed is written to wait, and acknowledged, after
// AckWait; with AckWait 0 it is written at once.
func TestIntakeAckWait(t *testing.T) {
	gen := loadGen(t, registry(&fakePoller{}, time.Hour), flowSrc("free", ""))
	push := func(in *trigger.Intake, key string) (store.Enqueued, time.Duration) {
		t.Helper()
		start := time.Now()
		res, err := in.Push(context.Background(), []store.Event{event("free", key)})
		if err != nil {
			t.Fatal(err)
		}
		return res[0], time.Since(start)
	}

	t.Run("freed", func(t *testing.T) {
		st := memory.New()
		defer st.Close()
		w := &idleWorkers{}
		held := &heldObserver{}
		in := &trigger.Intake{Store: st, Workers: w, Generation: func() *plan.Generation { return gen }, AckWait: time.Minute, Observer: held}
		done := make(chan store.Enqueued)
		go func() {
			q, _ := push(in, "a")
			done <- q
		}()
		select {
		case q := <-done:
			t.Fatalf("acknowledged at once (%+v) while every worker was busy", q)
		case <-time.After(100 * time.Millisecond):
		}
		if exs, _ := st.Executions(context.Background(), store.Filter{}); len(exs) != 0 {
			t.Fatalf("%d executions stored while the delivery was held, want 0", len(exs))
		}
		w.free(1)
		q := <-done
		if q.Claimed == nil || len(w.started) != 1 || w.started[0].Execution.ID != q.ID {
			t.Errorf("not handed to the freed worker: %+v, started %v", q, w.started)
		}
		if in.Depth() != 0 || w.wakes != 0 {
			t.Errorf("depth %d, wakes %d; want 0 and 0: nothing was left pending", in.Depth(), w.wakes)
		}
		if len(held.held) != 1 || held.held[0] < 50*time.Millisecond {
			t.Errorf("holds observed: %v, want one of at least 50ms (it was freed after 100ms)", held.held)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		st := memory.New()
		defer st.Close()
		w := &idleWorkers{}
		in := &trigger.Intake{Store: st, Workers: w, Generation: func() *plan.Generation { return gen }, AckWait: 150 * time.Millisecond}
		q, took := push(in, "b")
		if took < in.AckWait {
			t.Errorf("acknowledged after %s, before AckWait %s", took, in.AckWait)
		}
		if q.Claimed != nil || q.ID == "" || in.Depth() != 1 || w.wakes != 1 {
			t.Errorf("%+v, depth %d, wakes %d; want stored pending, depth 1, workers woken", q, in.Depth(), w.wakes)
		}
	})

	t.Run("no wait", func(t *testing.T) {
		st := memory.New()
		defer st.Close()
		w := &idleWorkers{}
		held := &heldObserver{}
		in := &trigger.Intake{Store: st, Workers: w, Generation: func() *plan.Generation { return gen }, Observer: held}
		q, took := push(in, "c")
		if q.Claimed != nil || in.Depth() != 1 || took > 5*time.Second || len(held.held) != 0 {
			t.Errorf("%+v after %s, depth %d, holds %v; want stored pending at once, never held", q, took, in.Depth(), held.held)
		}
	})
}

// heldObserver records the holds the intake reports.
type heldObserver struct {
	mu   sync.Mutex
	held []time.Duration
}

func (o *heldObserver) Received(string, int) {}

func (o *heldObserver) Held(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.held = append(o.held, d)
}

// refusingHealth refuses while err is set and records the writes it is
// told of.
type refusingHealth struct {
	err    error
	wrote  int
	failed int
}

func (h *refusingHealth) Refusing(time.Time) error { return h.err }
func (h *refusingHealth) Wrote(err error, _ time.Time) {
	h.wrote++
	if err != nil {
		h.failed++
	}
}

// TestIntakeBackpressure: over the inbox limit, or while the store cannot
// keep events, pushed and polled events are refused with nothing written
// (a poller's cursor stays); the engine's own are never refused.
func TestIntakeBackpressure(t *testing.T) {
	st := memory.New()
	defer st.Close()
	gen := loadGen(t, registry(&fakePoller{}, time.Hour), flowSrc("users", ""))
	f := gen.Flows["users"]
	h := &refusingHealth{}
	in := &trigger.Intake{Store: st, Limit: 1, Health: h}
	poll := []connector.Event{{ID: "p1", Type: "fake", Payload: []byte(`{"n":1}`)}}

	if _, err := in.Poll(context.Background(), f, poll, trigger.CursorKey("users"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	if in.Depth() != 1 || h.wrote != 1 {
		t.Errorf("depth %d, writes told %d; want 1 and 1", in.Depth(), h.wrote)
	}
	// Now at the limit.
	next := []connector.Event{{ID: "p2", Type: "fake", Payload: []byte(`{"n":2}`)}}
	if _, err := in.Poll(context.Background(), f, next, trigger.CursorKey("users"), []byte("2")); !errors.Is(err, trigger.ErrBusy) {
		t.Errorf("poll over the limit: %v, want ErrBusy", err)
	}
	if _, err := in.Push(context.Background(), []store.Event{event("users", "h1")}); !errors.Is(err, trigger.ErrBusy) {
		t.Errorf("push over the limit: %v, want ErrBusy", err)
	}
	if c := cursor(t, st, "users"); c != "1" {
		t.Errorf("cursor %q after a refused poll, want 1", c)
	}
	if _, err := in.Submit(context.Background(), []store.Event{event("users", "child")}); err != nil {
		t.Errorf("the engine's own enqueue over the limit: %v", err)
	}

	in.SetDepth(0)
	h.err = errors.New("disk full")
	if _, err := in.Poll(context.Background(), f, next, trigger.CursorKey("users"), []byte("2")); !errors.Is(err, trigger.ErrStoreUnavailable) {
		t.Errorf("poll while the store refuses: %v, want ErrStoreUnavailable", err)
	}
	if _, err := in.Push(context.Background(), []store.Event{event("users", "h1")}); !errors.Is(err, trigger.ErrStoreUnavailable) {
		t.Errorf("push while the store refuses: %v, want ErrStoreUnavailable", err)
	}
	if diff := cmp.Diff([]string{"child", "p1"}, dedupKeys(t, st, "users")); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
}

// TestPollerBackpressure: a poller over the inbox limit does not move its
// cursor; its next tick after the inbox drained emits the same page.
func TestPollerBackpressure(t *testing.T) {
	p := &fakePoller{}
	st := memory.New()
	defer st.Close()
	m, rec := newManager(st, "a")
	m.Intake.Limit = 1
	m.Intake.SetDepth(1)
	m.Sync(context.Background(), loadGen(t, registry(p, 5*time.Millisecond), flowSrc("users", "")))
	eventually(t, "two refused polls", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.failed["users"] >= 2
	})
	if c := cursor(t, st, "users"); c != "" || len(dedupKeys(t, st, "users")) != 0 {
		t.Fatalf("a refused poll stored cursor %q and %v", c, dedupKeys(t, st, "users"))
	}
	m.Intake.SetDepth(0)
	eventually(t, "a poll after the inbox drained", func() bool { return p.emitted() >= 1 })
	m.Stop()
	if keys := dedupKeys(t, st, "users"); len(keys) == 0 || keys[0] != "users-1" {
		t.Errorf("after draining the poller stored %v, want users-1 first", keys)
	}
}

// TestIntakePollRunsCurrentDefinition: a poller keeps running while its
// flow's cards change; what it fetches after the change is claimed on the
// new definition, not on the one the poller started with.
func TestIntakePollRunsCurrentDefinition(t *testing.T) {
	st := memory.New()
	defer st.Close()
	reg := registry(&fakePoller{}, time.Hour)
	old := loadGen(t, reg, flowSrc("users", ""))
	cur := loadGen(t, reg, strings.Replace(flowSrc("users", ""), `text   = "n=${trigger.n}"`, `text   = "n is ${trigger.n}"`, 1))
	if old.Flows["users"].Hash == cur.Flows["users"].Hash {
		t.Fatal("the two generations have one definition")
	}
	w := &idleWorkers{idle: 1}
	in := &trigger.Intake{Store: st, Workers: w, Generation: func() *plan.Generation { return cur }}
	ev := []connector.Event{{ID: "p1", Type: "fake", Payload: []byte(`{"n":1}`)}}
	if _, err := in.Poll(context.Background(), old.Flows["users"], ev, trigger.CursorKey("users"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	if len(w.started) != 1 {
		t.Fatalf("%d executions handed over, want 1", len(w.started))
	}
	if c := w.started[0]; c.Flow != cur.Flows["users"] || c.Execution.DefinitionHash != cur.Flows["users"].Hash {
		t.Errorf("the polled event runs on %s, want the current definition %s", c.Execution.DefinitionHash, cur.Flows["users"].Hash)
	}
	if c := cursor(t, st, "users"); c != "1" {
		t.Errorf("cursor %q, want 1", c)
	}
}
