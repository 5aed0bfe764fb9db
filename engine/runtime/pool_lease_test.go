package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
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
	res, err := st.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{"user":"ann"}`)}})
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
