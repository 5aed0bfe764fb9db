package runtime_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/zclconf/go-cty/cty"
)

// pinCountingStore counts Pin calls.
type pinCountingStore struct {
	store.Store
	pins atomic.Int32
}

func (s *pinCountingStore) Pin(ctx context.Context, id, hash string) error {
	s.pins.Add(1)
	return s.Store.Pin(ctx, id, hash)
}

// TestPoolPinsWithTheClaim: the pool's claim pins an execution to its
// flow's definition, durably before the first card runs, and the executor
// writes no Pin of its own; a flow with a concurrency limit is pinned when
// its execution gets a slot, also before its first card.
func TestPoolPinsWithTheClaim(t *testing.T) {
	for _, tc := range []struct {
		name     string
		attrs    string
		wantPins int32
	}{
		{"unlimited", "", 0},
		{"concurrency limit", "concurrency = 1", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, strings.Replace(blockFlow, `flow "f" {`, `flow "f" {`+"\n  "+tc.attrs, 1))
			st := &pinCountingStore{Store: h.store}
			h.exec.Store = st
			flow := h.gen.Flows["f"]
			res, err := st.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "k"}}, store.EnqueueOptions{})
			if err != nil {
				t.Fatal(err)
			}
			pinned := make(chan error, 1)
			h.fake.steps["block"] = func(ctx context.Context, n int, call *connector.Call) (cty.Value, error) {
				ex, err := st.Execution(ctx, res[0].ID)
				if err == nil && ex.DefinitionHash != flow.Hash {
					err = fmt.Errorf("the first card runs on an execution pinned to %q, want %q", ex.DefinitionHash, flow.Hash)
				}
				pinned <- err
				return echo(n, call), nil
			}
			pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 2, Poll: 10 * time.Millisecond}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- pool.Run(ctx, time.Second) }()
			defer func() {
				cancel()
				<-done
			}()
			select {
			case err := <-pinned:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the first card did not run")
			}
			deadline := time.Now().Add(5 * time.Second)
			for {
				ex, err := st.Execution(context.Background(), res[0].ID)
				if err != nil {
					t.Fatal(err)
				}
				if ex.Status.Final() {
					if ex.Status != store.Succeeded || ex.DefinitionHash != flow.Hash {
						t.Errorf("execution ended %s on %q, want succeeded on %q", ex.Status, ex.DefinitionHash, flow.Hash)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("execution still %s", ex.Status)
				}
				time.Sleep(5 * time.Millisecond)
			}
			if got := st.pins.Load(); got != tc.wantPins {
				t.Errorf("Pin calls = %d, want %d", got, tc.wantPins)
			}
		})
	}
}
