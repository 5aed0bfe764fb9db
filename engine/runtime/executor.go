package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/trigger"
	"github.com/zclconf/go-cty/cty"
)

// Defaults for flows and cards that set no timeout.
const (
	DefaultExecutionTimeout = time.Hour
	DefaultCardTimeout      = 2 * time.Minute
)

// Invoker calls an action. The default calls Action.Do; dry runs and flow
// tests substitute theirs to intercept writes or mock actions.
type Invoker interface {
	Invoke(ctx context.Context, card *plan.Card, call *connector.Call) (cty.Value, error)
}

// InvokeFunc adapts a function to Invoker.
type InvokeFunc func(ctx context.Context, card *plan.Card, call *connector.Call) (cty.Value, error)

// Invoke calls f.
func (f InvokeFunc) Invoke(ctx context.Context, card *plan.Card, call *connector.Call) (cty.Value, error) {
	return f(ctx, card, call)
}

// DirectInvoker calls the action's Do.
var DirectInvoker = InvokeFunc(func(ctx context.Context, card *plan.Card, call *connector.Call) (cty.Value, error) {
	if card.Action.Do == nil {
		return cty.NilVal, connector.Errorf(connector.Other, "action %s.%s has no implementation", card.Connector.Name, card.Action.Name)
	}
	return card.Action.Do(ctx, call)
})

// Executor runs executions against a store.
type Executor struct {
	Store    store.Store
	Clients  *Clients
	Clock    Clock
	Invoker  Invoker
	Logger   *slog.Logger
	Observer Observer
	// Rand returns a uniform integer in [0, n); nil uses math/rand.
	Rand func(n int64) int64
	// ParkAfter is the longest wait spent on the worker (see
	// DefaultParkAfter, its default, and NeverPark).
	ParkAfter time.Duration
	// Intake takes the executions an execution starts (asynchronous flow
	// calls, error flows); nil: an Intake over Store that wakes no one.
	Intake *trigger.Intake
	// Enqueued is called after an execution enqueued others, so that they
	// are claimed at once rather than at the next poll; a Pool sets it to
	// its Wake when it is nil.
	Enqueued func()
	// Endings is told of each outcome recorded; nil tells no one.
	Endings *Endings
}

// enqueued says that an execution enqueued others.
func (x *Executor) enqueued() {
	if x.Enqueued != nil {
		x.Enqueued()
	}
}

func (x *Executor) defaults() {
	if x.Clock == nil {
		x.Clock = RealClock{}
	}
	if x.Invoker == nil {
		x.Invoker = DirectInvoker
	}
	if x.Logger == nil {
		x.Logger = slog.New(slog.DiscardHandler)
	}
	if x.Observer == nil {
		x.Observer = nopObserver{}
	}
	if x.Rand == nil {
		x.Rand = defaultRand
	}
	if x.Clients == nil {
		x.Clients = NewClients()
	}
	if x.Intake == nil {
		x.Intake = &trigger.Intake{Store: x.Store}
	}
}

// Result is how an execution ended.
type Result struct {
	Status store.Status
	Output cty.Value
	Err    error
}

// Execute runs ex on flow (which must be the definition ex is pinned to),
// resuming from its journal, and records the outcome in the store.
func (x *Executor) Execute(ctx context.Context, ex *store.Execution, flow *plan.Flow) Result {
	return x.execute(ctx, ex, flow, cty.NilVal, nil)
}

// ExecuteReceived is Execute for the first run of an execution whose
// stored payload had the sensitive fields of flow's trigger redacted
// (plan.Trigger.Redact): it runs on rec, the event as it was received.
func (x *Executor) ExecuteReceived(ctx context.Context, ex *store.Execution, flow *plan.Flow, rec *trigger.Received) Result {
	return x.execute(ctx, ex, flow, cty.NilVal, rec)
}

// execute is Execute with the execution's trigger value on flow when the
// intake decoded it already (trigger.Claimed), else cty.NilVal: it is
// decoded from rec's payload when rec is not nil, else from the stored
// one.
func (x *Executor) execute(ctx context.Context, ex *store.Execution, flow *plan.Flow, trig cty.Value, rec *trigger.Received) Result {
	x.defaults()
	start := x.Clock.Now()
	log := &execLogger{base: x.Logger, id: ex.ID, flow: flow.Name}
	// An execution that was never pinned never started: it has no journal
	// to read. (Claims does not tell: a graceful release takes its claim
	// back.) The pool's claim pins what it can, which saves a write here.
	fresh := ex.DefinitionHash == "" || ex.PinnedByClaim
	if ex.DefinitionHash == "" {
		if err := x.Store.Pin(ctx, ex.ID, flow.Hash); err != nil {
			return Result{Status: store.Failed, Err: err}
		}
		ex.DefinitionHash = flow.Hash
	}
	timeout := flow.Timeout
	if timeout <= 0 {
		timeout = DefaultExecutionTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	sec := newSecrets(infoOf(flow.Gen).secrets) // shared: add copies on write
	if rec != nil {
		sec.add(rec.Secrets...)
	}
	res, r := x.run(ctx, ex, flow, log, sec, fresh, trig, rec)
	if res.Status == store.Waiting {
		return x.park(ctx, ex, res, r, log)
	}
	res.Err = sec.scrubErr(res.Err)
	if errors.Is(ctx.Err(), context.Canceled) && res.Status == store.Failed {
		// Shutdown interrupted the execution: leave it running so that it
		// is claimed again (and resumes from its journal) after a restart,
		// keeping what ran.
		if r != nil {
			_ = r.flush(ctx)
		}
		return Result{Status: store.Running, Err: ctx.Err()}
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && res.Status == store.Failed {
		res.Err = fmt.Errorf("execution timed out after %s: %w", timeout, res.Err)
	}
	output := []byte(nil)
	if res.Output != cty.NilVal && !res.Output.IsNull() {
		output = sec.json(res.Output)
	}
	errMsg := ""
	if res.Err != nil {
		errMsg = outcome(res.Err, sec)
	}
	// The outcome must be recorded even when the execution's own deadline
	// has passed.
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer fcancel()
	// The lazy journal entries still held are written with the outcome.
	pending := r.takePending()
	markEnding(ctx)
	if err := x.Store.Finish(fctx, ex.ID, res.Status, output, errMsg, pending...); err != nil {
		log.logger().Error("recording the outcome failed", "err", err)
		// Keep what ran if the store takes it on its own (the last card's
		// result among it), so that the execution, claimed again, does not
		// run it twice.
		if len(pending) > 0 {
			if aerr := x.Store.Append(fctx, pending...); aerr != nil {
				log.logger().Error("journaling the last cards failed", "err", aerr)
			}
		}
		return Result{Status: store.Running, Err: err}
	}
	x.Endings.ended(ex.ID)
	if res.Status == store.Failed {
		x.callErrorFlow(fctx, ex, flow, flow.OnError, "", res.Err, log, sec)
	}
	x.Observer.ExecutionDone(flow.Name, res.Status, x.Clock.Now().Sub(start))
	if log.enabled(slog.LevelInfo) {
		log.finished(string(res.Status), x.Clock.Now().Sub(start).Milliseconds(), errMsg)
	}
	return res
}

// run runs the cards and returns how the execution ended, and the run
// (nil if no card ran) whose lazy journal entries are still to be written.
// trigger is the trigger value when decoded already, else cty.NilVal.
func (x *Executor) run(ctx context.Context, ex *store.Execution, flow *plan.Flow, log *execLogger, sec *secrets, fresh bool, trigger cty.Value, rec *trigger.Received) (Result, *run) {
	var journal []store.JournalEntry
	if !fresh {
		var err error
		if journal, err = x.Store.Journal(ctx, ex.ID); err != nil {
			return Result{Status: store.Failed, Err: fmt.Errorf("reading the journal: %w", err)}, nil
		}
	}
	trigger, err := startValue(flow, ex, trigger, rec)
	if err != nil {
		return Result{Status: store.Failed, Err: err}, nil
	}
	r := &run{x: x, ex: ex, flow: flow, log: log, sec: sec, unstored: rec != nil}
	if len(journal) > 0 {
		r.done, r.waits = replayJournal(journal)
	}
	if t := flow.Trigger; t != nil && t.Filter != nil {
		scope := lang.Scope{Vars: flow.Gen.Vars, Trigger: trigger}
		ok, err := t.Filter.Eval(scope.PredicateEnv())
		if err != nil {
			return Result{Status: store.Failed, Err: fmt.Errorf("trigger filter: %w", err)}, nil
		}
		if !ok {
			return Result{Status: store.Filtered}, nil
		}
	}
	return r.cardsOf(ctx, flow, trigger, ""), r
}

// startValue is the trigger value an execution runs on: trig when the
// intake decoded it already, else decoded from rec's payload, else from
// the stored one; its sensitive fields marked. An execution whose stored
// payload lacks a sensitive field's value, and that has no rec, cannot
// run: it would run on the placeholder as if it were the value.
func startValue(flow *plan.Flow, ex *store.Execution, trig cty.Value, rec *trigger.Received) (cty.Value, error) {
	if trig == cty.NilVal {
		payload := ex.Payload
		if rec != nil {
			payload = rec.Payload
		} else if name := flow.Trigger.Unstored(payload); name != "" {
			return cty.NilVal, errors.New(plan.UnstoredReason(name))
		}
		var err error
		if trig, err = triggerValue(flow, payload); err != nil {
			return cty.NilVal, err
		}
	}
	if flow.Trigger != nil && len(flow.Trigger.Sensitive) > 0 {
		trig = flow.Trigger.MarkSensitive(trig)
	}
	return trig, nil
}

// triggerValue decodes the stored trigger payload to the trigger's type:
// the parts the flow reads (flow.TriggerUse), the rest null.
func triggerValue(flow *plan.Flow, payload []byte) (cty.Value, error) {
	ty := cty.DynamicPseudoType
	if flow.Trigger != nil {
		ty = flow.Trigger.Spec.Output
	}
	if len(payload) == 0 {
		return cty.NullVal(ty), nil
	}
	v, err := connector.FromJSONPaths(payload, ty, flow.TriggerUse)
	if err != nil {
		return cty.NilVal, fmt.Errorf("decoding the trigger event: %w", err)
	}
	return v, nil
}

// journalKey identifies a card instance in the journal.
type journalKey struct{ card, key string }

// replayJournal keeps, per card instance, the last entry that ended it (ok
// or skipped), and the waiting entry of an instance that was parked and
// has not run since; a reset entry discards what came before it (replays).
func replayJournal(entries []store.JournalEntry) (done, waits map[journalKey]store.JournalEntry) {
	done = map[journalKey]store.JournalEntry{}
	for _, e := range entries {
		k := journalKey{e.Card, e.Key}
		switch e.Status {
		case store.EntryOK, store.EntrySkipped:
			done[k] = e
			delete(waits, k)
		case store.EntryReset:
			delete(done, k)
			delete(waits, k)
		case store.EntryWaiting:
			if waits == nil {
				waits = map[journalKey]store.JournalEntry{}
			}
			waits[k] = e
		default:
			delete(waits, k) // the attempt it waited for ran
		}
	}
	return done, waits
}

func (x *Executor) callErrorFlow(ctx context.Context, ex *store.Execution, flow *plan.Flow, target, card string, cause error, log *execLogger, sec *secrets) {
	if target == "" {
		return
	}
	input := map[string]any{
		"flow":         flow.Name,
		"execution_id": ex.ID,
		"card":         card,
		"error":        errorObject(sec.scrubErr(cause)),
	}
	payload := marshal(map[string]any{"input": input, "caller": map[string]any{"flow": flow.Name, "execution_id": ex.ID}})
	key := ex.ID + "/on_error"
	if card != "" {
		key += "/" + card
	}
	_, err := x.Intake.Submit(ctx, []store.Event{{
		Flow: target, DedupKey: key, Type: "flow.called", Payload: payload,
		Parent: ex.ID, ReceivedAt: x.Clock.Now().UTC(),
	}})
	if err != nil {
		log.logger().Error("enqueuing the error flow failed", "error_flow", target, "err", err)
		return
	}
	x.enqueued()
}

// execLogger logs with the execution's attributes, which it adds only when
// something is logged: most executions log nothing below Info.
type execLogger struct {
	base     *slog.Logger
	id, flow string
	once     sync.Once
	l        *slog.Logger
}

func (e *execLogger) enabled(level slog.Level) bool {
	return e.base.Enabled(context.Background(), level)
}

func (e *execLogger) logger() *slog.Logger {
	e.once.Do(func() { e.l = e.base.With("execution", e.id, "flow", e.flow) })
	return e.l
}

// finished logs the line every execution ends with, as logger().Info
// would, without the derived logger: With copies the handler and encodes
// the attributes for the one line most executions log.
func (e *execLogger) finished(status string, durationMS int64, errMsg string) {
	e.base.LogAttrs(context.Background(), slog.LevelInfo, "execution finished",
		slog.String("execution", e.id), slog.String("flow", e.flow),
		slog.String("status", status), slog.Int64("duration_ms", durationMS), slog.String("err", errMsg))
}

// errorObject describes a card failure for flows and outputs.
func errorObject(err error) map[string]any {
	if err == nil {
		return nil
	}
	obj := map[string]any{"kind": connector.KindOf(err).String(), "message": err.Error(), "status": nil, "code": ""}
	var ce *connector.Error
	if errors.As(err, &ce) {
		if ce.Status != 0 {
			obj["status"] = ce.Status
		}
		obj["code"] = ce.Code
	}
	return obj
}
