package runtime_test

import (
	"context"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
)

// notifyingStore is a memory store that says when another process
// enqueued, as the postgres store does.
type notifyingStore struct {
	*memory.Store
	ch chan struct{}
}

func (s *notifyingStore) Notify() <-chan struct{} { return s.ch }

type genResolver struct{ gen *plan.Generation }

func (r genResolver) Resolve(_ context.Context, flow, _ string) (*plan.Flow, error) {
	return r.gen.Flows[flow], nil
}

// TestPoolWakesOnNotify: work another replica enqueued (no Wake in this
// process) is claimed when the store notifies, not at the next poll.
func TestPoolWakesOnNotify(t *testing.T) {
	h := newHarness(t, pureFlow)
	st := &notifyingStore{Store: h.store, ch: make(chan struct{}, 1)}
	h.exec.Store = st
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 2, Poll: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pool.Run(ctx, time.Second) }()
	defer func() {
		cancel()
		<-done
	}()
	time.Sleep(50 * time.Millisecond) // the pool found nothing and waits

	res, err := st.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{"user":"ann"}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st.ch <- struct{}{}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ex, err := st.Execution(context.Background(), res[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Status.Final() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution still %s 5s after the notification; the pool waits for its hourly poll", ex.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
