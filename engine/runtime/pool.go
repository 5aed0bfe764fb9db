package runtime

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
)

// Resolver finds the definition an execution is pinned to: the current
// generation's flow when hash is empty or current, else an older one.
type Resolver interface {
	Resolve(ctx context.Context, flow, hash string) (*plan.Flow, error)
}

// Pool is a bounded set of workers that claim executions from the store
// and run them.
type Pool struct {
	Executor *Executor
	Resolver Resolver
	Owner    string        // this process's name in claims
	Workers  int           // concurrent executions
	Lease    time.Duration // claim lease; renewed while running
	Poll     time.Duration // how often to look for work without a wake-up
	Logger   *slog.Logger

	// wake is made once, by whichever of Wake and Run comes first: intake
	// and pollers may call Wake before Run has started.
	wakeOnce sync.Once
	wake     chan struct{}
	mu       sync.Mutex
	running  map[string]context.CancelCauseFunc
	perFlow  map[string]chan struct{} // flows with a concurrency limit
	wg       sync.WaitGroup
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
	p.mu.Lock() // Running may be asked (health) while Run starts
	p.running = map[string]context.CancelCauseFunc{}
	p.perFlow = map[string]chan struct{}{}
	p.mu.Unlock()
	p.Executor.defaults()
}

// Run claims and executes until ctx is done, then waits for the running
// executions up to drain; those still running are released to resume on
// the next start.
func (p *Pool) Run(ctx context.Context, drain time.Duration) error {
	p.init()
	slots := make(chan struct{}, p.Workers)
	execCtx, cancelExec := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelExec(ErrShutdown)
	renewDone := make(chan struct{})
	go func() {
		defer close(renewDone)
		p.renew(ctx)
	}()
	var notify <-chan struct{} // nil: never ready
	if n, ok := p.Executor.Store.(store.Notifier); ok {
		notify = n.Notify() // other replicas' work
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for ctx.Err() == nil {
		free := p.Workers - len(slots)
		if free > 0 {
			exs, err := p.Executor.Store.ClaimPinned(ctx, p.Owner, free, p.Lease, p.pin)
			if err != nil && ctx.Err() == nil {
				p.Logger.Error("claiming executions failed", "err", err)
			}
			for _, ex := range exs {
				slots <- struct{}{}
				p.start(execCtx, ex, slots)
			}
			if len(exs) == free {
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
	}
	<-renewDone
	p.drain(drain, cancelExec)
	return nil
}

// pin is the definition a claimed execution of flow starts on: the current
// one, pinned by the claim itself so that the execution needs no write
// before its first card. A flow with a concurrency limit is pinned when its
// execution gets a slot and starts, not while it waits for one. The store
// calls pin inside its write: it only reads the loaded generation.
func (p *Pool) pin(flow string) string {
	f, err := p.Resolver.Resolve(context.Background(), flow, "")
	if err != nil || f == nil || f.Concurrency > 0 {
		return ""
	}
	return f.Hash
}

func (p *Pool) start(ctx context.Context, ex *store.Execution, slots chan struct{}) {
	ctx, cancel := context.WithCancelCause(ctx)
	p.mu.Lock()
	p.running[ex.ID] = cancel
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer func() {
			p.mu.Lock()
			delete(p.running, ex.ID)
			p.mu.Unlock()
			cancel(nil)
			<-slots
			p.wg.Done()
		}()
		flow, err := p.Resolver.Resolve(ctx, ex.Flow, ex.DefinitionHash)
		if err != nil {
			p.Logger.Error("no definition for execution", "execution", ex.ID, "flow", ex.Flow, "err", err)
			_ = p.Executor.Store.Finish(ctx, ex.ID, store.Failed, nil, err.Error())
			return
		}
		release, err := p.flowSlot(ctx, flow)
		if err != nil {
			rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = p.Executor.Store.Release(rctx, p.Owner, []string{ex.ID})
			rcancel()
			return
		}
		res := p.Executor.Execute(ctx, ex, flow)
		release()
		if res.Status == store.Running {
			// Interrupted by shutdown: give it back so it resumes soon.
			rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = p.Executor.Store.Release(rctx, p.Owner, []string{ex.ID})
			rcancel()
		}
		if res.Status.Final() {
			// An execution may have enqueued helpers or error flows.
			p.Wake()
		}
	}()
}

// renew extends the leases of running executions until ctx is done.
func (p *Pool) renew(ctx context.Context) {
	t := time.NewTicker(p.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.mu.Lock()
		ids := make([]string, 0, len(p.running))
		for id := range p.running {
			ids = append(ids, id)
		}
		p.mu.Unlock()
		if len(ids) == 0 {
			continue
		}
		err := p.Executor.Store.Renew(ctx, p.Owner, ids, p.Lease)
		switch {
		case err == nil || ctx.Err() != nil:
		case errors.Is(err, store.ErrLeaseLost):
			p.stopLost(ctx, ids)
		default:
			p.Logger.Error("renewing leases failed", "err", err)
		}
	}
}

// stopLost finds the executions whose lease another worker took (this
// process stalled past its lease) and interrupts them, so that they stop at
// their next card instead of running beside the new owner.
func (p *Pool) stopLost(ctx context.Context, ids []string) {
	for _, id := range ids {
		err := p.Executor.Store.Renew(ctx, p.Owner, []string{id}, p.Lease)
		if !errors.Is(err, store.ErrLeaseLost) {
			continue
		}
		p.mu.Lock()
		cancel, ok := p.running[id]
		p.mu.Unlock()
		if ok {
			p.Logger.Warn("lease lost: another worker owns the execution now; stopping here", "execution", id)
			cancel(ErrLeaseLost)
		}
	}
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
