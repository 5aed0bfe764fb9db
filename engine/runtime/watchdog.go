package runtime

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errCardTimeout is the cause of an attempt that ran out of time.
var errCardTimeout = errors.New("card timed out")

// watchdog bounds the attempts of one run with one reusable timer and,
// while no attempt times out, one context: a context.WithTimeout per
// attempt costs a context, a timer and three closures, a fifth of the
// runtime's allocations per card. Attempts that overlap (for_each
// instances running at once, the cards of an inline helper flow inside a
// flow.call attempt) get a timeout of their own.
//
// The attempt's context reports no deadline; it is cancelled, with
// errCardTimeout as its cause, when the time is up. It is not cancelled
// when an attempt ends in time, so what an action leaves running on it
// stops when the run ends, not when the attempt does.
type watchdog struct {
	mu       sync.Mutex
	timer    *time.Timer
	parent   context.Context         // what ctx derives from
	ctx      context.Context         // the attempts' context, until one times out
	cancel   context.CancelCauseFunc // ctx's
	armed    bool
	deadline time.Time
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
	w.armed = true
	w.deadline = time.Now().Add(d)
	if w.timer == nil {
		w.timer = time.AfterFunc(d, w.fire)
	} else {
		w.timer.Reset(d)
	}
	actx := w.ctx
	w.mu.Unlock()
	return attemptCtx{ctx: actx, w: w}
}

// fire cancels the armed attempt if its time is up. A timer that fired
// for an attempt that has ended since finds a later deadline, or none.
func (w *watchdog) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.armed && !time.Now().Before(w.deadline) {
		w.cancel(errCardTimeout)
	}
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
	w.timer.Stop()
	w.armed = false
	return errors.Is(context.Cause(a.ctx), errCardTimeout)
}
