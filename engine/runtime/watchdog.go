package runtime

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errCardTimeout is the cause of an attempt that ran out of time.
var errCardTimeout = errors.New("card timed out")

// watchdog bounds the attempts of one run with one reusable timer. A
// context.WithTimeout per attempt costs a context, a timer and three
// closures: a fifth of the runtime's allocations per card. Attempts
// that overlap (for_each instances running at once, the cards of an
// inline helper flow inside a flow.call attempt) get their own timeout.
//
// The attempt's context reports no deadline; it is cancelled, with
// errCardTimeout as its cause, when the time is up.
type watchdog struct {
	mu       sync.Mutex
	timer    *time.Timer
	cancel   context.CancelCauseFunc // the armed attempt's; nil when none is
	deadline time.Time
}

// attemptCtx is the context of one attempt and how to end it.
type attemptCtx struct {
	ctx    context.Context
	w      *watchdog // nil: ctx has a timeout of its own
	cancel context.CancelCauseFunc
	plain  context.CancelFunc
}

// arm returns the context of an attempt that may run for d.
func (w *watchdog) arm(ctx context.Context, d time.Duration) attemptCtx {
	w.mu.Lock()
	if w.cancel != nil {
		w.mu.Unlock()
		actx, cancel := context.WithTimeoutCause(ctx, d, errCardTimeout)
		return attemptCtx{ctx: actx, plain: cancel}
	}
	actx, cancel := context.WithCancelCause(ctx)
	w.cancel = cancel
	w.deadline = time.Now().Add(d)
	if w.timer == nil {
		w.timer = time.AfterFunc(d, w.fire)
	} else {
		w.timer.Reset(d)
	}
	w.mu.Unlock()
	return attemptCtx{ctx: actx, w: w, cancel: cancel}
}

// fire cancels the armed attempt if its time is up. A timer that fired
// for an attempt that has ended since finds a later deadline, or none.
func (w *watchdog) fire() {
	w.mu.Lock()
	cancel := w.cancel
	if cancel == nil || time.Now().Before(w.deadline) {
		cancel = nil
	}
	w.mu.Unlock()
	if cancel != nil {
		cancel(errCardTimeout)
	}
}

// stop stops the timer when the run ends.
func (w *watchdog) stop() {
	w.mu.Lock()
	if w.timer != nil {
		w.timer.Stop()
	}
	w.mu.Unlock()
}

// end ends the attempt and reports whether it ran out of time.
func (a attemptCtx) end() (timedOut bool) {
	if a.w == nil {
		a.plain()
		return errors.Is(context.Cause(a.ctx), errCardTimeout)
	}
	a.w.mu.Lock()
	a.w.timer.Stop()
	a.w.cancel = nil
	a.w.mu.Unlock()
	timedOut = errors.Is(context.Cause(a.ctx), errCardTimeout)
	a.cancel(context.Canceled)
	return timedOut
}
