package trigger

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
)

// ErrBusy means the inbox is over its limit: the sender should retry
// later (the server answers 503 with Retry-After; a poller polls the same
// page again at its next tick).
var ErrBusy = errors.New("inbox over its limit")

// ErrStoreUnavailable means the store cannot keep events now (its file
// was removed, the disk is full): intake refuses them rather than
// acknowledge what it would lose.
var ErrStoreUnavailable = errors.New("the store cannot keep events")

// ErrNotStored wraps a failed write of the inbox: nothing of the events
// was stored, and the sender may retry.
var ErrNotStored = errors.New("events could not be stored")

// Inbox is what the intake needs of the store (store.Inbox): one write
// that records events as pending executions, optionally with a poller's
// cursor, optionally claiming some of them for idle workers. Intake.write
// is its only caller.
type Inbox interface {
	Enqueue(ctx context.Context, events []store.Event, opts store.EnqueueOptions) ([]store.Enqueued, error)
}

// Workers run executions: the intake hands them those it claimed as it
// enqueued them, and wakes them when it left work pending. runtime.Pool
// implements it.
type Workers interface {
	// Reserve sets up to n idle workers aside, without waiting.
	Reserve(n int) Reservation
	// Wake says that pending work arrived.
	Wake()
	// Freed returns a channel that is closed the next time a worker is
	// freed.
	Freed() <-chan struct{}
	// Hold keeps what the intake did not store of the event of flow with
	// dedup key key (see Received) for the worker that starts its
	// execution, which takes it. It returns false, and keeps nothing, when
	// it holds that event already (a retried delivery). The intake holds
	// an event before the write that enqueues it, so that no claim can
	// start the execution without it.
	Hold(flow, key string, r *Received) bool
	// Release drops what Hold kept for the event, if it was not taken.
	Release(flow, key string)
}

// Received is what an execution's first run has of its event that the
// store does not: the event's payload as it was received, before the
// sensitive fields of its flow's trigger (plan.Trigger.Redact) were
// replaced in the stored one.
type Received struct {
	Payload []byte
	// Secrets are the strings redacted from the stored payload: the run
	// scrubs them from whatever it writes down.
	Secrets []string
}

// Reservation is idle workers set aside for executions the intake claims
// for them in its write. Every Reservation ends with its Start, which gives
// back the workers it does not use.
type Reservation interface {
	// Len is how many workers it holds; 0 when none was idle.
	Len() int
	// Claim is the claim to make for the workers: their owner and lease,
	// at most Len executions, each pinned to pin(flow).
	Claim(pin func(flow string) string) store.Claimant
	// Start runs what the claim took, each on its definition.
	Start(claimed []Claimed)
}

// Claimed is an execution claimed in the write that enqueued it, with the
// definition it was pinned to: the worker runs it without resolving it
// again.
type Claimed struct {
	Execution *store.Execution
	Flow      *plan.Flow
	// Trigger, unless cty.NilVal, is the execution's trigger value on
	// Flow, decoded from its payload as the intake checked the event: the
	// worker starts on it without decoding the payload again.
	Trigger cty.Value
	// Received, when not nil, is what the store lacks of the event: the
	// execution runs on it rather than on Execution.Payload.
	Received *Received
}

// Health is the engine's view of whether the store keeps events: the
// intake asks it before each write from outside and tells it how the write
// went.
type Health interface {
	// Refusing returns why intake refuses events at now, or nil.
	Refusing(now time.Time) error
	// Wrote records the outcome of an intake write.
	Wrote(err error, now time.Time)
}

// IntakeObserver counts what the intake stores.
type IntakeObserver interface {
	// Received counts new pushed events of a flow (repeated deliveries are
	// acknowledged, not received).
	Received(flow string, n int)
	// Held times a pushed batch that waited for a worker (AckWait).
	Held(d time.Duration)
}

// Intake is the one way in: every event becomes an execution through it.
// Pushed events (event hooks: Hook; endpoint flows: Invoke), polled ones
// (Poll) and the engine's own (Submit: asynchronous flow calls, error
// flows, dry runs, flow tests) are checked, given their correlation terms,
// refused under backpressure, written to the inbox in one write, and, when
// workers are idle, claimed in that same write and handed to them with the
// definition they were pinned to.
//
// The dedup is the inbox's: an event's ID is its execution's dedup key,
// and a (flow, key) stored once is acknowledged again without a second
// execution.
type Intake struct {
	Store Inbox
	// Workers, when set, are woken after new pending work and take what
	// the intake claims for them.
	Workers Workers
	// Generation is the active generation, whose flows events sent to
	// Push are pinned to when claimed. Nil: Push claims nothing.
	Generation func() *plan.Generation
	// Limit is the inbox depth at or above which pushed and polled events
	// are refused with ErrBusy; 0: no limit.
	Limit int
	// AckWait is how long a pushed event that finds every worker busy
	// waits for one to be freed before it is written to wait in the inbox
	// (and acknowledged). It is flow control: under overload the sender
	// is slowed to the pace the executions keep, instead of the engine
	// spending its CPU on taking in events it cannot run yet, while a
	// burst is still taken in, each event after at most AckWait. Keep it
	// well under the senders' timeouts (Okta's is 3 s). 0: no wait.
	AckWait time.Duration
	// Health, when set, refuses pushed and polled events while the store
	// cannot keep them.
	Health   Health
	Observer IntakeObserver
	Now      func() time.Time

	depth atomic.Int64
	// routes caches which flows each connection's hook feeds, for the
	// generation Hook was last called with.
	routes atomic.Pointer[hookRoutes]
}

// Depth is the inbox depth as the intake knows it: the last SetDepth plus
// what was enqueued since.
func (in *Intake) Depth() int { return int(in.depth.Load()) }

// SetDepth records the inbox depth the store counted.
func (in *Intake) SetDepth(n int) { in.depth.Store(int64(n)) }

func (in *Intake) now() time.Time {
	if in.Now != nil {
		return in.Now().UTC()
	}
	return time.Now().UTC()
}

// admit applies backpressure to events from outside.
func (in *Intake) admit() error {
	if in.Health != nil {
		if err := in.Health.Refusing(time.Now()); err != nil {
			return fmt.Errorf("%w: %v", ErrStoreUnavailable, err)
		}
	}
	if in.Limit > 0 && in.Depth() >= in.Limit {
		return ErrBusy
	}
	return nil
}

// Push enqueues events from outside that name their flows already:
// backpressure applies, and executions of flows of the active generation
// are claimed for idle workers. It sets the Terms of events that have
// none.
func (in *Intake) Push(ctx context.Context, events []store.Event) ([]store.Enqueued, error) {
	var flows []*plan.Flow
	if in.Generation != nil {
		if gen := in.Generation(); gen != nil {
			flows = make([]*plan.Flow, len(events))
			for i := range events {
				flows[i] = gen.Flows[events[i].Flow]
			}
		}
	}
	for i := range events {
		if events[i].Terms == nil {
			events[i].Terms = Terms(events[i].Payload)
		}
	}
	return in.push(ctx, events, flows, nil, nil)
}

// Submit enqueues the engine's own work: executions that executions start
// (asynchronous flow calls, error flows), dry runs and flow tests. It is
// never refused for backpressure (the execution that asks was admitted
// already) and claims nothing: the workers are woken to claim it. It sets
// the Terms of events that have none.
func (in *Intake) Submit(ctx context.Context, events []store.Event) ([]store.Enqueued, error) {
	for i := range events {
		if events[i].Terms == nil {
			events[i].Terms = Terms(events[i].Payload)
		}
	}
	res, err := in.write(ctx, events, store.EnqueueOptions{})
	if err != nil {
		return nil, err
	}
	in.added(res)
	return res, nil
}

// push writes a batch from outside, flows[i] the definition of event i
// when it is known (nil: not claimed), values[i] its trigger value on it
// when decoded already (values may be nil), recs[i] what was not stored
// of it (recs may be nil).
func (in *Intake) push(ctx context.Context, batch []store.Event, flows []*plan.Flow, values []cty.Value, recs []*Received) ([]store.Enqueued, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	if err := in.admit(); err != nil {
		return nil, err
	}
	res, err := in.claimingWrite(ctx, batch, flows, values, recs, store.EnqueueOptions{}, in.AckWait > 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotStored, err)
	}
	if in.Observer != nil {
		in.received(batch, res)
	}
	return res, nil
}

// claimingWrite writes batch with opts, claiming what idle workers can
// take and handing it to them, with the trigger values of values (which
// may be nil), and tells Health how the write went. With wait, when no
// worker is idle, it first waits for one up to AckWait.
func (in *Intake) claimingWrite(ctx context.Context, batch []store.Event, flows []*plan.Flow, values []cty.Value, recs []*Received, opts store.EnqueueOptions, wait bool) ([]store.Enqueued, error) {
	var held []bool
	if recs != nil {
		held = in.hold(batch, recs)
	}
	var r Reservation
	if in.Workers != nil && flows != nil && len(batch) > 0 {
		r = in.Workers.Reserve(len(batch))
		if wait && r.Len() == 0 {
			r.Start(nil)
			start := time.Now()
			r = in.waitForWorker(ctx, len(batch))
			if in.Observer != nil {
				in.Observer.Held(time.Since(start))
			}
		}
	}
	wctx := ctx
	if r != nil && r.Len() > 0 {
		opts.Claim = r.Claim(pinOf(flows))
		// Not cancelled with the request: a write that commits after its
		// sender hung up would leave the executions it claimed to wait
		// for their lease to end.
		wctx = context.WithoutCancel(ctx)
	}
	res, err := in.write(wctx, batch, opts)
	if held != nil {
		in.release(batch, held, res, err)
	}
	if r != nil {
		var claimed []Claimed
		for i, q := range res {
			if q.Claimed != nil {
				c := Claimed{Execution: q.Claimed, Flow: flows[i]}
				if values != nil {
					c.Trigger = values[i]
				}
				if recs != nil {
					c.Received = recs[i]
				}
				claimed = append(claimed, c)
			}
		}
		r.Start(claimed)
	}
	if in.Health != nil && len(batch) > 0 && (ctx.Err() == nil || err == nil) {
		in.Health.Wrote(err, time.Now())
	}
	if err != nil {
		return nil, err
	}
	in.added(res)
	return res, nil
}

// hold gives the workers what is not stored of the events of batch
// (recs[i], when not nil) before they are written, so that the worker
// that claims one of them from the store starts on it; it returns which
// it held. Without workers nothing is held: such an execution fails
// rather than run on the stored event.
func (in *Intake) hold(batch []store.Event, recs []*Received) []bool {
	if in.Workers == nil {
		return nil
	}
	held := make([]bool, len(batch))
	for i, r := range recs {
		if r != nil {
			held[i] = in.Workers.Hold(batch[i].Flow, batch[i].DedupKey, r)
		}
	}
	return held
}

// release drops what hold kept and no worker took: the events the write
// claimed (their Claimed carries it), repeated ones, and all when the write
// failed. Those left pending keep it until a worker of this process claims
// them.
func (in *Intake) release(batch []store.Event, held []bool, res []store.Enqueued, err error) {
	for i, h := range held {
		pending := err == nil && i < len(res) && !res[i].Duplicate && res[i].Claimed == nil
		if h && !pending {
			in.Workers.Release(batch[i].Flow, batch[i].DedupKey)
		}
	}
}

// waitForWorker reserves workers for n events as soon as one is freed, and
// returns the reservation it holds after AckWait or when ctx ends
// (possibly of no worker).
func (in *Intake) waitForWorker(ctx context.Context, n int) Reservation {
	timer := time.NewTimer(in.AckWait)
	defer timer.Stop()
	for {
		select {
		case <-in.Workers.Freed():
		case <-timer.C:
			return in.Workers.Reserve(n)
		case <-ctx.Done():
			return in.Workers.Reserve(n)
		}
		r := in.Workers.Reserve(n)
		if r.Len() > 0 {
			return r
		}
		r.Start(nil)
	}
}

// pinOf is the claim's pin: the definition each flow of the batch was
// routed to, resolved before the write. A flow with a concurrency limit is
// left pending: it is pinned when its execution gets a slot.
func pinOf(flows []*plan.Flow) func(string) string {
	return func(name string) string {
		for _, f := range flows {
			if f != nil && f.Name == name {
				if f.Concurrency > 0 {
					return ""
				}
				return f.Hash
			}
		}
		return ""
	}
}

// received counts what is new: a repeated delivery is acknowledged, not
// received.
func (in *Intake) received(batch []store.Event, res []store.Enqueued) {
	if len(batch) == 1 || allOneFlow(batch) {
		n := 0
		for _, q := range res {
			if !q.Duplicate {
				n++
			}
		}
		if n > 0 {
			in.Observer.Received(batch[0].Flow, n)
		}
		return
	}
	fresh := map[string]int{}
	for i, q := range res {
		if !q.Duplicate && i < len(batch) {
			fresh[batch[i].Flow]++
		}
	}
	for f, n := range fresh {
		in.Observer.Received(f, n)
	}
}

func allOneFlow(batch []store.Event) bool {
	for i := range batch {
		if batch[i].Flow != batch[0].Flow {
			return false
		}
	}
	return true
}

// added counts the new pending executions into the depth and wakes the
// workers to claim them.
func (in *Intake) added(res []store.Enqueued) {
	n := 0
	for _, q := range res {
		if !q.Duplicate && q.Claimed == nil {
			n++
		}
	}
	if n == 0 {
		return
	}
	in.depth.Add(int64(n))
	if in.Workers != nil {
		in.Workers.Wake()
	}
}

// Poll enqueues what a poller of flow f fetched, with the cursor that
// follows it, in one write: a poller that crashes neither skips nor
// repeats. Backpressure applies: a refused page is polled again at the
// next tick. Idle workers get what they can take, claimed in the same
// write on the flow's definition in the active generation (f is the one
// the poller started with, which may be older).
func (in *Intake) Poll(ctx context.Context, f *plan.Flow, events []connector.Event, cursorKey string, cursor []byte) ([]store.Enqueued, error) {
	if c, ok := in.Store.(store.Checker); ok {
		// A store whose file was removed would take the events and the
		// cursor and lose both: leave them with the service, to be polled
		// again once cardflow restarts on a sound store.
		if err := c.Check(); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrStoreUnavailable, err)
		}
	}
	if len(events) > 0 {
		if err := in.admit(); err != nil {
			return nil, err
		}
	}
	now := in.now()
	batch := make([]store.Event, len(events))
	// A poller keeps running while its flow's cards change: what it
	// fetched runs on the flow's current definition, not on the one the
	// poller started with.
	var current *plan.Flow
	if in.Generation != nil {
		if gen := in.Generation(); gen != nil {
			current = gen.Flows[f.Name]
		}
	}
	var flows []*plan.Flow
	if current != nil && len(events) > 0 {
		flows = make([]*plan.Flow, len(events))
	}
	for i, ev := range events {
		batch[i] = store.Event{Flow: f.Name, DedupKey: ev.ID, Type: ev.Type, Payload: ev.Payload, ReceivedAt: now,
			Terms: Terms(ev.Payload)}
		if flows != nil {
			flows[i] = current
		}
	}
	return in.claimingWrite(ctx, batch, flows, nil, nil, store.EnqueueOptions{CursorKey: cursorKey, Cursor: cursor}, false)
}

// write is the intake's one write to the store.
func (in *Intake) write(ctx context.Context, batch []store.Event, opts store.EnqueueOptions) ([]store.Enqueued, error) {
	return in.Store.Enqueue(ctx, batch, opts)
}
