package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
	"github.com/cardflow/cardflow/internal/benchcpu"
)

// benchParallelism is goroutines per CPU in the parallel benchmarks. Group
// commit batches what is pending, so it needs concurrent writers, as the
// engine has: a webhook handler per request, an executor per claimed
// execution.
const benchParallelism = 64

var (
	// benchPayload is a real Okta event hook's event, as the intake stores
	// it (1.5 KB): a payload much smaller than real ones hides what
	// rewriting it costs.
	benchPayload = sqlite.OktaEvent()
	benchInput   = []byte(`{"user":"00u1abcdefghijklmnop","group":"00g1abcdefghijklmnop","connection":"okta.main","token":"(sensitive)"}`)
	benchOutput  = []byte(`{"status":200,"body":{"id":"00u1abcdefghijklmnop","status":"ACTIVE","profile":{"login":"jane.doe@example.com",` +
		`"email":"jane.doe@example.com","firstName":"Jane","lastName":"Doe","department":"` + strings.Repeat("d", 120) + `"}}}`)
)

func openBench(b *testing.B, opts sqlite.Options) *sqlite.Store {
	s := open(b, filepath.Join(b.TempDir(), "bench.db"), opts)
	b.Cleanup(func() { s.Close() })
	return s
}

func reportExecPerSec(b *testing.B, s *sqlite.Store, cpu0 time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exec/s")
	if cpu := benchcpu.Time() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/exec")
	}
	if batches, writes := sqlite.BatchStats(s); batches > 0 {
		b.ReportMetric(float64(writes)/float64(batches), "writes/commit")
	}
}

// BenchmarkEnqueue is the inbox: one event per call, as an event hook
// delivers them, each call durable when it returns.
func BenchmarkEnqueue(b *testing.B) {
	s := openBench(b, sqlite.Options{})
	var seq atomic.Int64
	b.SetParallelism(benchParallelism)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchcpu.Time()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			ev := store.Event{Flow: "request_approval", DedupKey: fmt.Sprint(seq.Add(1)), Type: "user.lifecycle.create",
				Payload: benchPayload, ReceivedAt: time.Now()}
			if _, err := s.Enqueue(ctx, []store.Event{ev}, store.EnqueueOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportExecPerSec(b, s, cpu0)
}

// BenchmarkExecutionLifecycle is what the store does for one execution of
// a five-card flow: enqueue the event, claim it and pin its definition (as
// the engine's pool does), journal each card as it ends, finish.
func BenchmarkExecutionLifecycle(b *testing.B) { benchLifecycle(b, false) }

// BenchmarkExecutionLifecycleClaimedAtEnqueue is BenchmarkExecutionLifecycle
// with the claim made by the enqueue (EnqueueOptions.Claim), as the engine's
// intake makes it when a worker is idle.
func BenchmarkExecutionLifecycleClaimedAtEnqueue(b *testing.B) { benchLifecycle(b, true) }

func benchLifecycle(b *testing.B, atEnqueue bool) {
	s := openBench(b, sqlite.Options{})
	var seq atomic.Int64
	b.SetParallelism(benchParallelism)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchcpu.Time()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		owner := fmt.Sprintf("worker-%d", seq.Add(1<<40)>>40)
		for pb.Next() {
			if err := lifecycle(ctx, s, owner, fmt.Sprint(seq.Add(1)), atEnqueue); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportExecPerSec(b, s, cpu0)
}

func lifecycle(ctx context.Context, s store.Store, owner, key string, claimAtEnqueue bool) error {
	ev := store.Event{Flow: "provision_on_approval", DedupKey: key, Type: "servicenow.record_updated",
		Payload: benchPayload, ReceivedAt: time.Now()}
	ex, err := sqlite.EnqueueAndClaim(ctx, s, ev, owner, claimAtEnqueue)
	if err != nil {
		return err
	}
	id := ex.ID
	for c := range 5 {
		start := time.Now()
		en := store.JournalEntry{ExecutionID: id, Card: fmt.Sprintf("card_%d", c), Attempt: 1, Status: store.EntryOK,
			Input: benchInput, Output: benchOutput, StartedAt: start, EndedAt: start.Add(time.Millisecond)}
		if err := s.Append(ctx, en); err != nil {
			return err
		}
	}
	return s.Finish(ctx, id, store.Succeeded, []byte(`{"ok":true}`), "")
}
