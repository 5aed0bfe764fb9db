package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/cardflow/cardflow/engine/store/sqlite"
	"github.com/cardflow/cardflow/internal/benchcpu"
	"github.com/zclconf/go-cty/cty"
)

// noopOutput is what the no-op action answers: the same value every
// time, so that the benchmark measures the runtime, not the action.
var noopOutput = cty.ObjectVal(map[string]cty.Value{"ok": cty.True})

// noop is a connector whose action does nothing and answers at once.
func noop() *connector.Connector {
	return &connector.Connector{
		Name: "noop",
		Actions: []*connector.Action{{
			Name: "do",
			Input: connector.Schema{
				{Name: "id", Type: cty.String, Required: true},
				{Name: "user", Type: cty.String},
				{Name: "previous", Type: cty.Bool},
			},
			Output: noopOutput.Type(),
			Effect: connector.Write,
			Do: func(context.Context, *connector.Call) (cty.Value, error) {
				return noopOutput, nil
			},
		}},
		Triggers: []*connector.Trigger{{
			Name:   "event",
			Mode:   connector.Push,
			Output: cty.Object(map[string]cty.Type{"user": cty.String, "login": cty.String}),
		}},
	}
}

// benchFlow is a flow of n no-op cards, each reading the trigger and the
// card before it, as real flows do.
func benchFlow(n int) string {
	var b strings.Builder
	b.WriteString("flow \"bench\" {\n  trigger \"noop.event\" {}\n")
	for i := range n {
		prev := "true"
		if i > 0 {
			prev = fmt.Sprintf("card.c%d.ok", i-1)
		}
		fmt.Fprintf(&b, `
  card "c%d" {
    action   = noop.do
    id       = "c%d"
    user     = trigger.user
    previous = %s
  }
`, i, i, prev)
	}
	b.WriteString("}\n")
	return b.String()
}

func benchGen(b *testing.B, cards int) *plan.Flow {
	b.Helper()
	reg := connector.NewRegistry(append(core.Connectors(), noop())...)
	gen, _, diags := engine.LoadSources(map[string][]byte{"bench.hcl": []byte(benchFlow(cards))}, engine.LoadOptions{
		Registry: reg, Mode: lang.Live, Host: fakeHost(),
	})
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	return gen.Flows["bench"]
}

var benchPayload = []byte(`{"user":"00u1abcdefghijklmnop","login":"jane.doe@example.com"}`)

// BenchmarkExecute runs a ten-card flow of no-op actions on the memory
// store: the runtime's own cost per card (evaluation, journal, outcome).
// The executions are enqueued before the clock starts and handed to
// Execute claimed and pinned, as the pool's claim hands them over.
func BenchmarkExecute(b *testing.B) {
	const cards = 10
	flow := benchGen(b, cards)
	st := memory.New()
	defer st.Close()
	x := &runtime.Executor{Store: st, Clients: runtime.NewClients()}
	defer x.Clients.Close()
	ctx := context.Background()
	events := make([]store.Event, b.N)
	for i := range events {
		events[i] = store.Event{Flow: "bench", DedupKey: fmt.Sprint(i), Payload: benchPayload}
	}
	res, err := st.Enqueue(ctx, events, store.EnqueueOptions{})
	if err != nil {
		b.Fatal(err)
	}
	exs := make([]*store.Execution, b.N)
	for i, r := range res {
		exs[i] = &store.Execution{ID: r.ID, Flow: "bench", DefinitionHash: flow.Hash, PinnedByClaim: true,
			Status: store.Running, Payload: benchPayload, Claims: 1}
	}
	var ms0, ms1 goruntime.MemStats
	goruntime.ReadMemStats(&ms0)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchcpu.Time()
	for _, ex := range exs {
		if r := x.Execute(ctx, ex, flow); r.Status != store.Succeeded {
			b.Fatalf("%s: %v", r.Status, r.Err)
		}
	}
	b.StopTimer()
	cpu := benchcpu.Time() - cpu0
	goruntime.ReadMemStats(&ms1)
	n := float64(b.N * cards)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/card")
	if cpu > 0 {
		// CPU time includes the garbage collector's, on both cores.
		b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/card")
	}
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/n, "allocs/card")
}

// BenchmarkExecuteSQLite runs five-card executions, 64 at a time (the
// default --workers of cardflow run), on a SQLite store, each durable:
// enqueue, claim and pin, journal the cards, finish. The claim is made
//
//   - claim=enqueue: as the intake makes it when a worker is idle, in the
//     enqueue's own transaction (store.EnqueueOptions.Claim);
//   - claim=pool: by runtime.Pool, cardflow run's worker pool, which
//     claims for all its idle workers at once what 64 producers enqueue;
//   - claim=each: by each of 64 goroutines for the event it enqueued, one
//     claim per execution (the pool's claim at its least batched).
func BenchmarkExecuteSQLite(b *testing.B) {
	b.Run("claim=enqueue", func(b *testing.B) { benchExecuteSQLite(b, true) })
	b.Run("claim=pool", benchExecuteSQLitePool)
	b.Run("claim=each", func(b *testing.B) { benchExecuteSQLite(b, false) })
}

// benchExecuteSQLitePool feeds runtime.Pool: 64 producers enqueue events,
// no more than two per worker outstanding, and the pool claims and runs
// them.
func benchExecuteSQLitePool(b *testing.B) {
	const (
		cards   = 5
		workers = 64
	)
	flow := benchGen(b, cards)
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	outstanding := make(chan struct{}, 2*workers)
	obs := &doneObserver{done: outstanding}
	x := &runtime.Executor{Store: st, Clients: runtime.NewClients(), Observer: obs}
	defer x.Clients.Close()
	pool := &runtime.Pool{Executor: x, Resolver: flowResolver{flow}, Owner: "bench", Workers: workers,
		Lease: time.Minute, Poll: time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- pool.Run(ctx, 10*time.Second) }()
	defer func() {
		cancel()
		<-stopped
	}()
	var seq atomic.Int64
	b.SetParallelism(workers / 2) // 64 producers on two cores
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchcpu.Time()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			outstanding <- struct{}{}
			ev := store.Event{Flow: "bench", DedupKey: fmt.Sprint(seq.Add(1)), Payload: benchPayload, ReceivedAt: time.Now()}
			if _, err := st.Enqueue(ctx, []store.Event{ev}, store.EnqueueOptions{}); err != nil {
				b.Error(err)
				return
			}
			pool.Wake()
		}
	})
	for obs.finished.Load() < int64(b.N) && !b.Failed() {
		time.Sleep(100 * time.Microsecond)
	}
	b.StopTimer()
	cpu := benchcpu.Time() - cpu0
	if n := obs.failed.Load(); n > 0 {
		b.Fatalf("%d executions did not succeed", n)
	}
	reportExecutions(b, cpu)
}

// doneObserver counts the executions that end and frees a producer's
// slot for each.
type doneObserver struct {
	runtime.Observer
	done             chan struct{}
	finished, failed atomic.Int64
}

func (o *doneObserver) CardAttempt(string, string, time.Duration, error) {}
func (o *doneObserver) Retry(string, string)                             {}
func (o *doneObserver) ExecutionDone(_ string, status store.Status, _ time.Duration) {
	if status != store.Succeeded {
		o.failed.Add(1)
	}
	o.finished.Add(1)
	<-o.done
}

// flowResolver resolves every execution to one flow.
type flowResolver struct{ flow *plan.Flow }

func (r flowResolver) Resolve(context.Context, string, string) (*plan.Flow, error) {
	return r.flow, nil
}

func benchExecuteSQLite(b *testing.B, atEnqueue bool) {
	const cards = 5
	flow := benchGen(b, cards)
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	x := &runtime.Executor{Store: st, Clients: runtime.NewClients()}
	defer x.Clients.Close()
	// Execute fills in its defaults on first use: do it before the
	// goroutines share x.
	warm, _ := st.Enqueue(context.Background(), []store.Event{{Flow: "bench", DedupKey: "warm", Payload: benchPayload}}, store.EnqueueOptions{})
	x.Execute(context.Background(), &store.Execution{ID: warm[0].ID, Flow: "bench", Payload: benchPayload, Claims: 1}, flow)
	pin := func(string) string { return flow.Hash }
	var seq atomic.Int64
	b.SetParallelism(32) // 64 goroutines on two cores
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := benchcpu.Time()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		owner := fmt.Sprintf("w%d", seq.Add(1<<32)>>32)
		for pb.Next() {
			ex, err := enqueueAndClaim(ctx, st, owner, pin, atEnqueue, store.Event{
				Flow: "bench", DedupKey: fmt.Sprint(seq.Add(1)), Payload: benchPayload, ReceivedAt: time.Now()})
			if err != nil {
				b.Error(err)
				return
			}
			if r := x.Execute(ctx, ex, flow); r.Status != store.Succeeded {
				b.Errorf("%s: %v", r.Status, r.Err)
				return
			}
		}
	})
	b.StopTimer()
	reportExecutions(b, benchcpu.Time()-cpu0)
}

// reportExecutions reports the executions per second and the CPU time
// (of the whole process: the writer, the checkpointer, the collector)
// per execution.
func reportExecutions(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "executions/s")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/exec")
		// What two otherwise idle cores would sustain at this CPU cost.
		b.ReportMetric(2*float64(b.N)/cpu.Seconds(), "executions/s-at-2-cores")
	}
}

// enqueueAndClaim enqueues ev and claims its execution, pinned: in the
// enqueue's transaction, or after it as the pool does.
func enqueueAndClaim(ctx context.Context, st store.Store, owner string, pin func(string) string, atEnqueue bool, ev store.Event) (*store.Execution, error) {
	if atEnqueue {
		res, err := st.Enqueue(ctx, []store.Event{ev}, store.EnqueueOptions{Claim: store.Claimant{Owner: owner, Lease: time.Minute, Max: 1, Pin: pin}})
		if err != nil {
			return nil, err
		}
		if res[0].Claimed == nil {
			return nil, errors.New("Enqueue with a Claim claimed nothing")
		}
		return res[0].Claimed, nil
	}
	if _, err := st.Enqueue(ctx, []store.Event{ev}, store.EnqueueOptions{}); err != nil {
		return nil, err
	}
	for {
		exs, err := st.Claim(ctx, owner, 1, time.Minute, store.ClaimOptions{Pin: pin})
		if err != nil || len(exs) > 0 {
			if err != nil {
				return nil, err
			}
			return exs[0], nil
		}
	}
}
