package runtime

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// execution is an execution a pool runs.
type execution struct {
	cancel context.CancelCauseFunc
	// ending is set before the execution's outcome is written (Finish,
	// Park, Release). From then on the store may no longer count it as
	// running, so that a renewal of its lease fails: the pool stops
	// renewing it, and does not take such a failure for a lease another
	// worker took.
	ending atomic.Bool
}

// endingKey is the context key under which the pool lends the executor an
// execution's ending flag.
type endingKey struct{}

func withEnding(ctx context.Context, ex *execution) context.Context {
	return context.WithValue(ctx, endingKey{}, &ex.ending)
}

// markEnding says, before the executor writes the outcome of the execution
// running in ctx, that it ends (see execution.ending). Outside a pool it
// does nothing.
func markEnding(ctx context.Context) {
	if f, ok := ctx.Value(endingKey{}).(*atomic.Bool); ok {
		f.Store(true)
	}
}

// renewRetry is how soon a renewal that failed (not a lost lease: the store
// did not answer) is tried again, as a fraction of the renewal period.
const renewRetry = 4

// renew extends the leases of running executions until ctx is done: every
// third of the lease, and again soon after a renewal that failed, so that
// one failed write does not let the leases lapse. A renewal waits its turn
// in the store's group commit behind the intake's and the workers' writes
// (under full load on SQLite that took up to a second with the race
// detector on, a tenth of that without); it is given up only when the
// leases it extends would have ended anyway.
func (p *Pool) renew(ctx context.Context) {
	every := p.Lease / 3
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		t.Reset(every)
		ids := p.renewable()
		if len(ids) == 0 {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, p.Lease-every)
		err := p.Executor.Store.Renew(rctx, p.Owner, ids, p.Lease)
		cancel()
		switch {
		case err == nil || ctx.Err() != nil:
		case errors.Is(err, store.ErrLeaseLost):
			p.stopLost(ctx, ids)
		default:
			p.Logger.Error("renewing leases failed; trying again", "err", err, "executions", len(ids))
			t.Reset(every / renewRetry)
		}
	}
}

// renewable lists the executions whose leases the pool renews: those it
// runs that are not ending.
func (p *Pool) renewable() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]string, 0, len(p.running))
	for id, ex := range p.running {
		if !ex.ending.Load() {
			ids = append(ids, id)
		}
	}
	return ids
}

// stopLost finds the executions whose lease another worker took (this
// process stalled past its lease) and interrupts them, so that they stop at
// their next card instead of running beside the new owner. An execution
// that ended here meanwhile (its outcome written after ids were listed) is
// not running in the store any more, which fails its renewal too; it is
// not one of them.
func (p *Pool) stopLost(ctx context.Context, ids []string) {
	for _, id := range ids {
		if p.endingOrGone(id) {
			continue
		}
		err := p.Executor.Store.Renew(ctx, p.Owner, []string{id}, p.Lease)
		if !errors.Is(err, store.ErrLeaseLost) {
			continue
		}
		p.mu.Lock()
		ex, ok := p.running[id]
		p.mu.Unlock()
		if ok && !ex.ending.Load() {
			p.Logger.Warn("lease lost: another worker owns the execution now; stopping here", "execution", id)
			ex.cancel(ErrLeaseLost)
		}
	}
}

// endingOrGone reports whether the pool no longer runs id, or is writing
// its outcome.
func (p *Pool) endingOrGone(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	ex, ok := p.running[id]
	return !ok || ex.ending.Load()
}
