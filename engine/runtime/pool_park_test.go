package runtime_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
)

const parkedPoolFlows = `
flow "pause" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "wait" {
    action = flow.wait
    for    = "30s"
  }
  card "after" {
    action     = fake.step
    connection = connection.fake.main
    id         = "after"
  }
}

flow "throttled" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "limited" {
    action     = fake.step
    connection = connection.fake.main
    id         = "limited"
  }
}

flow "quick" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "compose" {
    action     = fake.pure
    connection = connection.fake.main
    id         = "quick"
  }
}
`

// TestPoolParkedWaitsFreeWorkers: 64 executions waiting 30 s (on a
// flow.wait card, or on a rate limit's reset 30 s away) hold none of the
// pool's 64 workers: an unrelated flow enqueued after them runs to its end
// while all 64 are still parked.
func TestPoolParkedWaitsFreeWorkers(t *testing.T) {
	for _, flow := range []string{"pause", "throttled"} {
		t.Run(flow, func(t *testing.T) {
			const workers = 64
			h := newHarness(t, parkedPoolFlows, withParking())
			h.exec.Clock = runtime.RealClock{}
			h.fake.on("limited", func(_ context.Context, _ int, _ *connector.Call) (cty.Value, error) {
				return cty.NilVal, &connector.Error{Kind: connector.RateLimited, Status: 429, Message: "too many requests",
					RetryAt: time.Now().Add(30 * time.Second)}
			})
			ctx := context.Background()
			evs := make([]store.Event, workers)
			for i := range evs {
				evs[i] = store.Event{Flow: flow, DedupKey: fmt.Sprint(i), Payload: []byte(`{"user":"u"}`)}
			}
			if _, err := h.store.Enqueue(ctx, evs, store.EnqueueOptions{}); err != nil {
				t.Fatal(err)
			}
			pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: workers, Poll: 20 * time.Millisecond}
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- pool.Run(runCtx, time.Second) }()
			defer func() {
				cancel()
				<-done
			}()
			waitUntil(t, 20*time.Second, "all executions parked", func() bool { return countStatus(t, h.store, store.Waiting) == workers })

			start := time.Now()
			res, err := h.store.Enqueue(ctx, []store.Event{{Flow: "quick", DedupKey: "q", Payload: []byte(`{"user":"u"}`)}}, store.EnqueueOptions{})
			if err != nil {
				t.Fatal(err)
			}
			pool.Wake()
			waitUntil(t, 20*time.Second, "the quick flow to finish", func() bool {
				ex, err := h.store.Execution(ctx, res[0].ID)
				return err == nil && ex.Status.Final()
			})
			took := time.Since(start)
			if n := countStatus(t, h.store, store.Waiting); n != workers {
				t.Errorf("%d executions waiting when the quick flow finished, want all %d", n, workers)
			}
			if ex, _ := h.store.Execution(ctx, res[0].ID); ex.Status != store.Succeeded {
				t.Errorf("quick flow %s, want succeeded", ex.Status)
			}
			// Far below the 30 s the parked executions wait: no worker
			// was held by them.
			if took > 10*time.Second {
				t.Errorf("the quick flow took %s beside the parked executions", took)
			}
			if n := h.fake.counts()["after"]; n != 0 {
				t.Errorf("the card after the wait ran %d times before its time", n)
			}
		})
	}
}

func countStatus(t *testing.T, s store.Store, status store.Status) int {
	t.Helper()
	exs, err := s.Executions(context.Background(), store.Filter{Status: status, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(exs)
}

// waitUntil polls cond until it holds, or fails t after d.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
