package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/cardflow/cardflow/engine/trigger"
)

// singleRunOwner claims the executions of single runs.
const singleRunOwner = "single-run"

// SingleRunOptions configure a SingleRun. Everything is optional: the zero
// value runs on the real clock with the direct invoker.
type SingleRunOptions struct {
	Clients *runtime.Clients
	Clock   runtime.Clock
	Invoker runtime.Invoker
	// Rand returns a uniform integer in [0, n); nil uses math/rand.
	Rand func(n int64) int64
	// ParkAfter is the longest wait spent in Execute (runtime.NeverPark:
	// waits pass on the clock and never park).
	ParkAfter time.Duration
}

// SingleRun executes one flow for one event at a time on its own in-memory
// store, outside any Engine: no triggers, no pool, no leases to renew. Dry
// runs and flow tests run through it, so that neither assembles a runtime.
type SingleRun struct {
	store  *memory.Store
	intake *trigger.Intake
	exec   *runtime.Executor
	clock  runtime.Clock
}

// NewSingleRun returns a SingleRun with an empty store; Close releases it.
func NewSingleRun(opts SingleRunOptions) *SingleRun {
	clock := opts.Clock
	if clock == nil {
		clock = runtime.RealClock{}
	}
	st := memory.New()
	// The run's event, and the executions it starts, go in as the
	// engine's do: through an intake.
	intake := &trigger.Intake{Store: st, Now: clock.Now}
	return &SingleRun{
		store:  st,
		intake: intake,
		clock:  clock,
		exec: &runtime.Executor{
			Store: st, Intake: intake, Clients: opts.Clients, Clock: clock, Invoker: opts.Invoker,
			Rand: opts.Rand, ParkAfter: opts.ParkAfter,
		},
	}
}

// Close releases the store.
func (r *SingleRun) Close() error { return r.store.Close() }

// PutRow writes a flow table row (JSON) before the run, as a seed.
func (r *SingleRun) PutRow(ctx context.Context, table, key string, row []byte) error {
	return r.store.TablePut(ctx, table, key, row)
}

// SingleEvent is the trigger event of one execution.
type SingleEvent struct {
	// Key tells deliveries apart, as a dedup key does: each execution of
	// one SingleRun needs its own (a repeated key is a duplicate delivery,
	// which Execute reports as an error).
	Key     string
	Type    string
	Payload []byte
}

// SingleResult is how one execution of a SingleRun ended.
type SingleResult struct {
	Execution *store.Execution
	Journal   []store.JournalEntry
	Result    runtime.Result
}

// Execute records ev as an execution of flow and runs it to its end (or
// until it parks, unless ParkAfter is NeverPark). The error is cardflow's,
// not the flow's: a failed flow is a Result with status failed.
func (r *SingleRun) Execute(ctx context.Context, flow *plan.Flow, ev SingleEvent) (*SingleResult, error) {
	// The sensitive fields of the event are not stored, as cardflow run
	// does not store them: the run reads them, the report shows the
	// stored event.
	stored, removed, changed := flow.Trigger.Redact(ev.Payload)
	var rec *trigger.Received
	if changed {
		rec = &trigger.Received{Payload: ev.Payload, Secrets: removed}
		ev.Payload = stored
	}
	ex, err := r.start(ctx, flow, ev)
	if err != nil {
		return nil, err
	}
	res := r.exec.ExecuteReceived(ctx, ex, flow, rec)
	out := &SingleResult{Execution: ex, Result: res}
	if after, err := r.store.Execution(context.WithoutCancel(ctx), ex.ID); err == nil {
		out.Execution = after
	}
	// The journal is read even when ctx ended: a run that timed out still
	// shows how far it came.
	if out.Journal, err = r.store.Journal(context.WithoutCancel(ctx), ex.ID); err != nil {
		return out, err
	}
	return out, nil
}

// start submits ev to the intake and claims the execution it became. This
// is the one place single runs enqueue.
func (r *SingleRun) start(ctx context.Context, flow *plan.Flow, ev SingleEvent) (*store.Execution, error) {
	if _, err := r.intake.Submit(ctx, []store.Event{{
		Flow: flow.Name, DedupKey: ev.Key, Type: ev.Type, Payload: ev.Payload, ReceivedAt: r.clock.Now().UTC(),
	}}); err != nil {
		return nil, err
	}
	exs, err := r.store.Claim(ctx, singleRunOwner, 1, time.Hour, store.ClaimOptions{})
	if err != nil {
		return nil, err
	}
	if len(exs) != 1 {
		return nil, fmt.Errorf("the single run's store returned %d executions to claim, want 1", len(exs))
	}
	return exs[0], nil
}
