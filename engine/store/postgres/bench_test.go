package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/postgres"
	"github.com/cardflow/cardflow/engine/store/postgres/pgtest"
)

// BenchmarkReplicas measures executions/s through the store with 1, 2 and
// 3 replicas on one database. Each replica is a Store of its own (its own
// pool, writer and listener) with a claim loop like runtime.Pool's feeding
// benchWorkers workers; each execution is what the engine writes for a
// five-card flow: Claim, Pin, five journal entries of ~400 B, Finish. The
// executions are enqueued before the clock starts.
//
//	go test -run '^$' -bench Replicas -benchtime 4000x ./engine/store/postgres/
func BenchmarkReplicas(b *testing.B) {
	for _, n := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			dsn, schema := pgtest.Schema(b)
			rs := make([]*postgres.Store, n)
			for i := range rs {
				rs[i] = openIn(b, dsn, schema, postgres.Options{})
			}
			enqueueN(b, rs[0], b.N)
			var done atomic.Int64
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for i, s := range rs {
				wg.Go(func() { runReplica(ctx, b, s, fmt.Sprintf("r%d", i), &done, int64(b.N), cancel) })
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if got := done.Load(); got != int64(b.N) {
				b.Fatalf("%d executions finished, want %d", got, b.N)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "exec/s")
			var groups, writes int64
			for _, s := range rs {
				g, w := postgres.WriterStats(s)
				groups, writes = groups+g, writes+w
			}
			b.ReportMetric(float64(writes)/float64(max(groups, 1)), "writes/commit")
			b.ReportMetric(0, "ns/op")
		})
	}
}

const benchWorkers = 32

var benchEntry = store.JournalEntry{
	Card: "card", Attempt: 1, Status: store.EntryOK,
	Input:  []byte(`{"user":{"id":"00u1a2b3c4d5e6f7g8h9","login":"jane.doe@example.com","firstName":"Jane","lastName":"Doe"},"group":"00g1engineering","token":"(sensitive)"}`),
	Output: []byte(`{"id":"00u1a2b3c4d5e6f7g8h9","status":"ACTIVE","created":"2026-11-28T10:00:00.000Z","profile":{"login":"jane.doe@example.com","email":"jane.doe@example.com","department":"Engineering","manager":"00u0manager"},"_links":{"self":{"href":"https://acme.okta.com/api/v1/users/00u1a2b3c4d5e6f7g8h9"}}}`),
}

func enqueueN(b *testing.B, s store.Store, n int) {
	b.Helper()
	const batch = 500
	payload := []byte(`{"eventType":"user.lifecycle.create","target":[{"id":"00u1a2b3c4d5e6f7g8h9","type":"User"}]}`)
	for i := 0; i < n; i += batch {
		evs := make([]store.Event, 0, batch)
		for k := i; k < min(n, i+batch); k++ {
			evs = append(evs, store.Event{Flow: "onboarding", DedupKey: fmt.Sprint("evt-", k), Type: "user.lifecycle.create", Payload: payload})
		}
		if _, err := s.Enqueue(context.Background(), evs, store.EnqueueOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// runReplica claims and runs executions until all total are done.
func runReplica(ctx context.Context, b *testing.B, s *postgres.Store, owner string, done *atomic.Int64, total int64, finished func()) {
	work := make(chan *store.Execution, benchWorkers)
	slots := make(chan struct{}, benchWorkers)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(work)
	for range benchWorkers {
		wg.Go(func() {
			for ex := range work {
				if err := execute(ctx, s, ex); err != nil && ctx.Err() == nil {
					b.Error(err)
				}
				<-slots
				if done.Add(1) == total {
					finished()
				}
			}
		})
	}
	wake := s.Notify()
	for ctx.Err() == nil {
		free := benchWorkers - len(slots)
		if free > 0 {
			exs, err := s.Claim(ctx, owner, free, 30*time.Second, store.ClaimOptions{})
			if err != nil && ctx.Err() == nil {
				b.Error(err)
				return
			}
			for _, ex := range exs {
				slots <- struct{}{}
				work <- ex
			}
			if len(exs) == free {
				continue
			}
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-time.After(5 * time.Millisecond): // a worker frees a slot
		}
	}
}

func execute(ctx context.Context, s store.Store, ex *store.Execution) error {
	if err := s.Pin(ctx, ex.ID, "sha256:bench"); err != nil {
		return err
	}
	for i := range 5 {
		en := benchEntry
		en.ExecutionID, en.Card, en.StartedAt, en.EndedAt = ex.ID, fmt.Sprint("card", i), time.Now(), time.Now()
		if err := s.Append(ctx, en); err != nil {
			return err
		}
	}
	return s.Finish(ctx, ex.ID, store.Succeeded, []byte(`{"ok":true}`), "")
}
