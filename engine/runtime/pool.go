package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/trigger"
)

// Resolver finds the definition an execution is pinned to: the current
// generation's flow when hash is empty or current, else an older one.
type Resolver interface {
	Resolve(ctx context.Context, flow, hash string) (*plan.Flow, error)
}

// Pool is a bounded set of workers that claim executions from the store
// and run them, and run those the intake claimed for them as it enqueued
// them (Reserve).
type Pool struct {
	Executor *Executor
	Resolver Resolver
	Owner    string        // this process's name in claims
	Workers  int           // concurrent executions
	Lease    time.Duration // claim lease; renewed while running
	Poll     time.Duration // how often to look for work without a wake-up
	Logger   *slog.Logger
	// Claims, when set, is told of each claim the claim loop makes.
	Claims ClaimWatcher

	// failures is the claim loop's record of claims that fail in a row.
	failures claimFailures
	// wake is made once, by whichever of Wake and Run comes first: intake
	// and pollers may call Wake before Run has started.
	wakeOnce sync.Once
	wake     chan struct{}
	mu       sync.Mutex
	running  map[string]*execution
	perFlow  map[string]chan struct{} // flows with a concurrency limit
	// slots holds a value per worker that is busy or reserved.
	slots chan struct{}
	// execCtx is what executions run in while the pool takes work; nil
	// before Run and once it drains, when Reserve reserves nothing.
	execCtx context.Context
	// wg counts reserved workers, busy or not: drain waits for them.
	wg sync.WaitGroup
	// starved is set while the claim loop waits having found every worker
	// busy or reserved: the next worker freed wakes it.
	starved atomic.Bool
	// jobs hands an execution to a worker goroutine waiting for one, and
	// quit, closed when Run returns, ends those goroutines (see spawn).
	jobs chan func()
	quit chan struct{}
	// freed is closed, and cleared, when a worker is freed; made by
	// Freed for whoever waits for one.
	freedMu sync.Mutex
	freed   chan struct{}
	// held are the events whose sensitive fields the store lacks, for
	// the workers that start their executions (Hold).
	held heldEvents
	// claimed is the claim loop's buffer of what it hands its workers,
	// reused from one claim to the next (Start does not keep it).
	claimed []trigger.Claimed
}

// claimPins is the pin of one of the pool's own claims: the current
// definition of each flow, resolved once for the claim and kept for the
// workers, which then run it without resolving it again.
type claimPins struct {
	p     *Pool
	flows []*plan.Flow // what the claim pinned
	buf   [2]*plan.Flow
}

// pin is the definition a claimed execution of flow starts on: the current
// one, pinned by the claim itself so that the execution needs no write
// before its first card. A flow with a concurrency limit is pinned when its
// execution gets a slot and starts, not while it waits for one. The store
// calls pin inside its write: it only reads the loaded generation.
func (c *claimPins) pin(flow string) string {
	for _, f := range c.flows {
		if f.Name == flow {
			return f.Hash
		}
	}
	f, err := c.p.Resolver.Resolve(context.Background(), flow, "")
	if err != nil || f == nil || f.Concurrency > 0 {
		return ""
	}
	c.flows = append(c.flows, f)
	return f.Hash
}

// flowSlot waits for a free slot of a flow with a concurrency limit and
// returns its release.
func (p *Pool) flowSlot(ctx context.Context, f *plan.Flow) (func(), error) {
	if f.Concurrency <= 0 {
		return func() {}, nil
	}
	p.mu.Lock()
	sem, ok := p.perFlow[f.Name]
	if !ok || cap(sem) != f.Concurrency {
		sem = make(chan struct{}, f.Concurrency)
		p.perFlow[f.Name] = sem
	}
	p.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// ErrShutdown is the cause of executions interrupted by Stop.
var ErrShutdown = errors.New("shutting down")

// ErrLeaseLost is the cause of executions interrupted because another
// worker claimed them after this process failed to renew their lease.
var ErrLeaseLost = errors.New("lease lost")

// Wake tells the pool that work arrived.
func (p *Pool) Wake() {
	select {
	case p.wakeCh() <- struct{}{}:
	default:
	}
}

func (p *Pool) wakeCh() chan struct{} {
	p.wakeOnce.Do(func() { p.wake = make(chan struct{}, 1) })
	return p.wake
}

func (p *Pool) init() {
	if p.Workers <= 0 {
		p.Workers = 16
	}
	if p.Lease <= 0 {
		p.Lease = 30 * time.Second
	}
	if p.Poll <= 0 {
		p.Poll = 250 * time.Millisecond
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.Owner == "" {
		p.Owner = "cardflow"
	}
	p.wakeCh()
	p.mu.Lock() // Running may be asked (health), and workers reserved, while Run starts
	p.running = map[string]*execution{}
	p.perFlow = map[string]chan struct{}{}
	p.slots = make(chan struct{}, p.Workers)
	p.jobs = make(chan func())
	p.quit = make(chan struct{})
	p.mu.Unlock()
	p.Executor.defaults()
	if p.Executor.Enqueued == nil {
		p.Executor.Enqueued = p.Wake
	}
}

// Run claims and executes until ctx is done, then waits for the running
// executions up to drain; those still running are released to resume on
// the next start.
func (p *Pool) Run(ctx context.Context, drain time.Duration) error {
	p.init()
	execCtx, cancelExec := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelExec(ErrShutdown)
	p.mu.Lock()
	p.execCtx = execCtx
	p.mu.Unlock()
	// The leases are kept until the drain ends: an execution still
	// running here must not be claimed by another worker meanwhile.
	renewCtx, stopRenew := context.WithCancel(context.WithoutCancel(ctx))
	renewDone := make(chan struct{})
	go func() {
		defer close(renewDone)
		p.renew(renewCtx)
	}()
	var notify <-chan struct{} // nil: never ready
	if n, ok := p.Executor.Store.(store.Notifier); ok {
		notify = n.Notify() // other replicas' work
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for ctx.Err() == nil {
		// Set first: a worker freed after Reserve looked wakes the loop.
		p.starved.Store(true)
		if r := p.reserve(p.Workers); r.n > 0 {
			p.starved.Store(false)
			exs := p.claim(ctx, r)
			r.Start(exs)
			if len(exs) == r.n {
				continue // there may be more waiting
			}
		}
		timer.Reset(p.Poll)
		select {
		case <-ctx.Done():
		case <-p.wakeCh():
		case <-notify:
		case <-timer.C:
		}
		p.held.sweep(time.Now())
	}
	p.mu.Lock()
	p.execCtx = nil // no more reservations: drain waits for those made
	p.mu.Unlock()
	p.drain(drain, cancelExec)
	stopRenew()
	<-renewDone
	close(p.quit)
	return nil
}

// workerIdle is how long a worker goroutine waits for another execution
// before it ends.
const workerIdle = 10 * time.Second

// spawn runs fn on a worker goroutine that waits for work, or on a new
// one, which then waits for more. Executions run on long-lived goroutines
// because a new goroutine's stack starts at 8 KiB and is copied each time
// it doubles on the way to what an execution needs (SQLite's VM, S2's
// 64 KiB hash table, HCL evaluation): a twentieth of the engine's CPU
// under load went to those copies. A goroutine that waits keeps its
// stack, but for what the garbage collector shrinks.
func (p *Pool) spawn(fn func()) {
	select {
	case p.jobs <- fn:
	default:
		go worker(fn, p.jobs, p.quit)
	}
}

func worker(fn func(), jobs <-chan func(), quit <-chan struct{}) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		fn()
		fn = nil // not kept while waiting
		idle.Reset(workerIdle)
		select {
		case fn = <-jobs:
		case <-quit:
			return
		case <-idle.C:
			return
		}
	}
}

// claim claims executions for r's workers. Shutdown does not cancel the
// claim: a claim cancelled once its write was queued may still commit,
// and the executions it took would wait out their lease unseen. What a
// claim returns after shutdown began is released at once instead. A claim
// is bounded by a third of the lease, the renewal period: what it hands
// over has most of its lease left. (A database that commits a claim and
// then fails to answer in time leaves its executions claimed unseen until
// their lease ends; they are claimed again then.)
func (p *Pool) claim(ctx context.Context, r *reservation) []trigger.Claimed {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.Lease/3)
	defer cancel()
	// Its own pins, not shared with the next claim: a claim that timed out
	// may still be written, and pin called, after it returned.
	pins := &claimPins{p: p}
	pins.flows = pins.buf[:0]
	if p.Claims != nil {
		p.Claims.ClaimStarted(p.Executor.Clock.Now())
	}
	exs, err := p.Executor.Store.Claim(cctx, p.Owner, r.n, p.Lease, store.ClaimOptions{Pin: pins.pin})
	now := p.Executor.Clock.Now()
	if p.Claims != nil {
		p.Claims.ClaimEnded(err, now)
	}
	p.failures.ended(p.Logger, err, now)
	if err != nil {
		return nil
	}
	if ctx.Err() == nil || len(exs) == 0 {
		clear(p.claimed)
		claimed := p.claimed[:0]
		for _, ex := range exs {
			c := trigger.Claimed{Execution: ex}
			if ex.PinnedByClaim {
				for _, f := range pins.flows {
					if f.Name == ex.Flow && f.Hash == ex.DefinitionHash {
						c.Flow = f
					}
				}
			}
			claimed = append(claimed, c)
		}
		p.claimed = claimed
		return claimed
	}
	ids := make([]string, len(exs))
	for i, ex := range exs {
		ids[i] = ex.ID
	}
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer rcancel()
	if err := p.Executor.Store.Release(rctx, p.Owner, ids); err != nil {
		p.Logger.Error("releasing executions claimed at shutdown failed", "err", err, "executions", ids)
	}
	return nil
}

// reservation is idle workers of a pool set aside for executions claimed
// by whoever reserved them: the pool's own claim loop, or the intake,
// which claims the events it enqueues in the same write and hands them
// straight over, saving the claim's write and the wait for the pool to
// make it.
type reservation struct {
	p   *Pool
	ctx context.Context
	n   int
}

var _ trigger.Workers = (*Pool)(nil)

// Reserve implements trigger.Workers: it sets up to n idle workers aside,
// without waiting. It reserves none when every worker is busy or
// reserved, or when the pool does not take work (before Run, and once it
// drains). Every reservation must end with its Start, which gives back
// the workers it does not use.
func (p *Pool) Reserve(n int) trigger.Reservation { return p.reserve(n) }

func (p *Pool) reserve(n int) *reservation {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.execCtx == nil {
		return &reservation{}
	}
	got := 0
reserve:
	for got < n {
		select {
		case p.slots <- struct{}{}:
			got++
		default:
			break reserve
		}
	}
	// Under p.mu, so that no reservation is added once drain waits.
	p.wg.Add(got)
	return &reservation{p: p, ctx: p.execCtx, n: got}
}

// Len is how many workers r holds.
func (r *reservation) Len() int { return r.n }

// Claim is the claim to make for r's workers: this pool's owner and lease,
// at most Len executions, pinned by pin (the claimer's: it resolved the
// definitions before its write).
func (r *reservation) Claim(pin func(flow string) string) store.Claimant {
	if r.n == 0 {
		return store.Claimant{}
	}
	return store.Claimant{Owner: r.p.Owner, Lease: r.p.Lease, Max: r.n, Pin: pin}
}

// Start runs what the pool's owner has claimed on r's workers, as the pool
// runs what it claims: lease renewal, per-flow limits, drain on shutdown.
// An execution whose Flow is set runs on it, without resolving its
// definition again. It gives back the workers it does not use. exs must be
// no more than r.Len().
func (r *reservation) Start(exs []trigger.Claimed) {
	if len(exs) > r.n {
		panic("runtime: more executions started than workers reserved")
	}
	for _, c := range exs {
		r.p.start(r.ctx, c)
	}
	if r.n > len(exs) {
		r.p.free(r.n - len(exs))
	}
}

// free gives back n reserved workers, and wakes the claim loop if it found
// none idle.
func (p *Pool) free(n int) {
	for range n {
		<-p.slots
		p.wg.Done()
	}
	if p.starved.Swap(false) {
		p.Wake()
	}
	p.freedMu.Lock()
	if p.freed != nil {
		close(p.freed)
		p.freed = nil
	}
	p.freedMu.Unlock()
}

// Freed implements trigger.Workers: the channel is closed the next time a
// worker is freed.
func (p *Pool) Freed() <-chan struct{} {
	p.freedMu.Lock()
	defer p.freedMu.Unlock()
	if p.freed == nil {
		p.freed = make(chan struct{})
	}
	return p.freed
}

// start runs c's execution on a reserved worker, which it frees when the
// execution ends. c.Flow, when not nil, is the definition it was pinned to
// as it was claimed; otherwise (a resumed or replayed execution, one left
// unpinned) it is resolved by its definition hash. c.Trigger, the trigger
// value the intake decoded on c.Flow, is used only on that definition.
func (p *Pool) start(ctx context.Context, c trigger.Claimed) {
	ex, flow := c.Execution, c.Flow
	ctx, cancel := context.WithCancelCause(ctx)
	run := &execution{cancel: cancel}
	p.mu.Lock()
	if _, dup := p.running[ex.ID]; dup {
		p.mu.Unlock()
		// Its lease lapsed while it ran here (this process stalled, or
		// the clock jumped) and the claim took it again for this owner,
		// renewing the lease: it keeps running, once.
		p.Logger.Warn("lease lapsed: claimed an execution this process still runs; it runs on once", "execution", ex.ID)
		cancel(nil)
		p.free(1)
		return
	}
	p.running[ex.ID] = run
	p.mu.Unlock()
	ctx = withEnding(ctx, run)
	p.spawn(func() {
		defer func() {
			p.mu.Lock()
			delete(p.running, ex.ID)
			p.mu.Unlock()
			cancel(nil)
			p.free(1)
		}()
		var err error
		if flow == nil || flow.Name != ex.Flow || flow.Hash != ex.DefinitionHash {
			flow, err = p.Resolver.Resolve(ctx, ex.Flow, ex.DefinitionHash)
		}
		trig := c.Trigger
		if flow != c.Flow {
			trig = cty.NilVal
		}
		rec := c.Received
		if rec == nil && (ex.PinnedByClaim || ex.DefinitionHash == "") {
			// Its first run: the intake may have left it pending with
			// what the store lacks.
			rec = p.held.take(ex.Flow, ex.DedupKey)
		}
		switch {
		case err == nil:
		case ctx.Err() == nil:
			p.Logger.Error("no definition for execution", "execution", ex.ID, "flow", ex.Flow, "err", err)
			run.ending.Store(true)
			if p.Executor.Store.Finish(ctx, ex.ID, store.Failed, nil, p.unrunnable(ctx, ex, err)) == nil {
				p.Executor.Endings.ended(ex.ID)
			}
			return
		case errors.Is(context.Cause(ctx), ErrShutdown):
			// Interrupted, not failed: give it back so it resumes soon.
			p.release(run, ex.ID)
			return
		default:
			return // the lease is lost: the execution is another worker's
		}
		release, err := p.flowSlot(ctx, flow)
		if err != nil {
			p.release(run, ex.ID)
			return
		}
		res := p.Executor.execute(ctx, ex, flow, trig, rec)
		release()
		if res.Status == store.Running {
			// Interrupted by shutdown: give it back so it resumes soon.
			p.release(run, ex.ID)
		}
	})
}

// unrunnable is the error of an execution that cannot run on its
// definition. A replayed execution's failure before the replay (which
// Reopen cleared) is kept in it: the reason the replay could not run must
// not hide why the execution failed in the first place.
func (p *Pool) unrunnable(ctx context.Context, ex *store.Execution, err error) string {
	msg := err.Error()
	journal, jerr := p.Executor.Store.Journal(ctx, ex.ID)
	if jerr != nil {
		return msg
	}
	replayed := false
	for i := len(journal) - 1; i >= 0; i-- {
		switch e := journal[i]; {
		case e.Status == store.EntryReset:
			replayed = true
		case e.Status == store.EntryError && replayed:
			return fmt.Sprintf("%s (before the replay it failed at card %s: %s)", msg, e.Card, e.Error)
		}
	}
	return msg
}

// release gives back an execution this pool stops running unfinished.
func (p *Pool) release(run *execution, id string) {
	run.ending.Store(true)
	rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
	_ = p.Executor.Store.Release(rctx, p.Owner, []string{id})
	rcancel()
}

// drain waits for running executions up to d, then interrupts the rest.
func (p *Pool) drain(d time.Duration, cancel context.CancelCauseFunc) {
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-time.After(d):
	}
	cancel(ErrShutdown)
	<-done
}

// Running returns how many executions run now.
func (p *Pool) Running() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.running)
}
