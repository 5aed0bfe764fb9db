package runtime

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errCardTimeout is the cause of an attempt that ran out of time.
var errCardTimeout = errors.New("card timed out")

// watchdog bounds the attempts of one run with one timer and, while no
// attempt times out, one context: a context.WithTimeout per attempt costs
// a context, a timer and three closures, a fifth of the runtime's
// allocations per card. Attempts that overlap (for_each instances running
// at once, the cards of an inline helper flow inside a flow.call attempt)
// get a timeout of their own.
//
// An attempt costs no timer operation either: arming records a deadline,
// and the timer, once set, is moved only to an earlier deadline. When it
// fires it cancels the armed attempt whose deadline has passed, or sets
// itself for the armed attempt's deadline, or does nothing between
// attempts. A run's cards nearly always end long before their timeout,
// so the timer of a run fires rarely, if ever.
//
// The attempt's context reports no deadline; it is cancelled, with
// errCardTimeout as its cause, when the time is up. It is not cancelled
// when an attempt ends in time, so what an action leaves running on it
// stops when the run ends, not when the attempt does.
type watchdog struct {
	mu       sync.Mutex
	timer    *time.Timer
	timerSet bool                    // timer will fire, at timerAt
	timerAt  time.Duration           // since base
	base     time.Time               // what deadlines count from (a monotonic reading)
	parent   context.Context         // what ctx derives from
	ctx      context.Context         // the attempts' context, until one times out
	cancel   context.CancelCauseFunc // ctx's
	armed    bool
	deadline time.Duration // of the armed attempt, since base
}

// attemptCtx is the context of one attempt and how to end it.
type attemptCtx struct {
	ctx   context.Context
	w     *watchdog // nil: ctx has a timeout of its own
	plain context.CancelFunc
}

// arm returns the context of an attempt that may run for d.
func (w *watchdog) arm(ctx context.Context, d time.Duration) attemptCtx {
	w.mu.Lock()
	if w.armed {
		w.mu.Unlock()
		actx, cancel := context.WithTimeoutCause(ctx, d, errCardTimeout)
		return attemptCtx{ctx: actx, plain: cancel}
	}
	if w.ctx == nil || w.parent != ctx || w.ctx.Err() != nil {
		w.release()
		w.parent = ctx
		w.ctx, w.cancel = context.WithCancelCause(ctx)
	}
	if w.base.IsZero() {
		w.base = time.Now()
	}
	w.armed = true
	w.deadline = time.Since(w.base) + d
	switch {
	case w.timer == nil:
		w.timer = time.AfterFunc(d, w.fire)
		w.timerSet, w.timerAt = true, w.deadline
	case !w.timerSet || w.timerAt > w.deadline:
		w.timer.Reset(d)
		w.timerSet, w.timerAt = true, w.deadline
	}
	actx := w.ctx
	w.mu.Unlock()
	return attemptCtx{ctx: actx, w: w}
}

// fire cancels the armed attempt if its time is up, or sets the timer for
// its deadline if not. A fire that comes after an attempt ended, or twice
// (a Reset while it waited for the lock), finds a later deadline or none.
func (w *watchdog) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timerSet = false
	if !w.armed || w.timer == nil {
		return
	}
	now := time.Since(w.base)
	if now >= w.deadline {
		w.cancel(errCardTimeout)
		return
	}
	w.timer.Reset(w.deadline - now)
	w.timerSet, w.timerAt = true, w.deadline
}

// release cancels the shared context. The caller holds mu.
func (w *watchdog) release() {
	if w.cancel != nil {
		w.cancel(context.Canceled)
	}
	w.ctx, w.cancel, w.parent = nil, nil, nil
}

// stop stops the timer and releases the context when the run ends.
func (w *watchdog) stop() {
	w.mu.Lock()
	if w.timer != nil {
		w.timer.Stop()
		w.timerSet = false
	}
	w.release()
	w.mu.Unlock()
}

// end ends the attempt and reports whether it ran out of time.
func (a attemptCtx) end() (timedOut bool) {
	if a.w == nil {
		a.plain()
		return errors.Is(context.Cause(a.ctx), errCardTimeout)
	}
	w := a.w
	w.mu.Lock()
	defer w.mu.Unlock()
	w.armed = false // the timer stays set: it is moved, not stopped
	return errors.Is(context.Cause(a.ctx), errCardTimeout)
}
