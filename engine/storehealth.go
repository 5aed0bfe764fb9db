package engine

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// storeCheckEvery is how often the engine asks the store whether its files
// are still the ones it opened (store.Checker).
const storeCheckEvery = time.Second

// storeCooldown is how long intake refuses events after a write failed
// (the disk full, say) before it lets one through to try again.
const storeCooldown = 5 * time.Second

// storeHealth is what intake and the worker pool know about the store. A
// store that lost its files (removed or replaced while running) is lost
// until a restart: every event is refused, since an acknowledged event
// written there would vanish. A store whose writes fail (disk full, I/O
// errors) refuses events for storeCooldown after each failure, then lets
// one through; a write that succeeds ends the refusal.
//
// The store's periodic uses, the pool's claims and the inbox depth read
// (watchDepth), tell of a store that cannot be reached (a PostgreSQL
// server down or cut off) even when no event arrives and every worker is
// busy: see reach. /healthz answers 503 meanwhile, but intake still tries
// its own writes: only their failures make it refuse events.
type storeHealth struct {
	log *slog.Logger

	mu       sync.Mutex
	lost     error // from store.Checker; stays until restart
	failed   error // the last failed intake write, nil after a success
	failedAt time.Time

	claims reach // the pool's claims
	reads  reach // the inbox depth reads
}

// reach is what one periodic use of the store says about reaching it.
// After a failure the store is unavailable for storeCooldown, the
// intake's refusal, and for as long as the next use still waits for its
// answer: a server that does not answer holds a claim up to a third of
// the lease, longer than the cooldown, and /healthz must not turn to 200
// meanwhile. A use that succeeds ends it. Guarded by storeHealth.mu.
type reach struct {
	what    string    // what the use does, to say what failed
	err     error     // the last failure, nil after a success
	at      time.Time // when it failed
	since   time.Time // when the uses started to fail
	waiting bool      // a use waits for its answer
}

// failing returns the last failure while it counts at now, or nil.
func (r *reach) failing(now time.Time) error {
	if r.err != nil && (r.waiting || now.Sub(r.at) < storeCooldown) {
		return r.err
	}
	return nil
}

func (r *reach) ended(err error, now time.Time) {
	r.waiting = false
	switch {
	case err != nil && r.err == nil:
		r.err, r.at, r.since = err, now, now
	case err != nil:
		r.err, r.at = err, now
	default:
		r.err = nil
	}
}

// refusing returns why intake refuses events at now, or nil.
func (h *storeHealth) refusing(now time.Time) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lost != nil {
		return h.lost
	}
	if h.failed != nil && now.Sub(h.failedAt) < storeCooldown {
		return h.failed
	}
	return nil
}

// unavailable returns why the store is unavailable at now (/healthz
// answers 503), or nil: intake refuses events, or the store's periodic
// uses fail.
func (h *storeHealth) unavailable(now time.Time) error {
	if err := h.refusing(now); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if r := h.unreachable(now); r != nil {
		return r.err
	}
	return nil
}

// unreachable returns the periodic use that fails at now, or nil. h.mu
// must be held.
func (h *storeHealth) unreachable(now time.Time) *reach {
	for _, r := range []*reach{&h.claims, &h.reads} {
		if r.failing(now) != nil {
			return r
		}
	}
	return nil
}

// started records that a periodic use of the store waits for its answer.
func (h *storeHealth) started(r *reach) {
	h.mu.Lock()
	r.waiting = true
	h.mu.Unlock()
}

// ended records the outcome of a periodic use of the store. Whoever made
// it logs the failure; this only keeps it for health.
func (h *storeHealth) ended(r *reach, err error, now time.Time) {
	h.mu.Lock()
	r.ended(err, now)
	h.mu.Unlock()
}

// claimHealth is storeHealth as the pool tells it (runtime.ClaimWatcher).
type claimHealth struct{ h *storeHealth }

func (c claimHealth) ClaimStarted(time.Time)              { c.h.started(&c.h.claims) }
func (c claimHealth) ClaimEnded(err error, now time.Time) { c.h.ended(&c.h.claims, err, now) }

// check asks st whether it is still sound; a store found lost stays lost.
func (h *storeHealth) check(st store.Store) {
	c, ok := st.(store.Checker)
	if !ok {
		return
	}
	err := c.Check()
	if err == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lost == nil {
		h.lost = err
		h.log.Error("store lost: intake stopped, every event is refused with 503 until cardflow restarts", "err", err)
	}
}

// wrote records the outcome of an intake write.
func (h *storeHealth) wrote(err error, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case err != nil && h.failed == nil:
		h.log.Error("store writes fail: intake refuses events with 503 until a write succeeds", "err", err)
		h.failed, h.failedAt = err, now
	case err != nil:
		h.failed, h.failedAt = err, now
	case h.failed != nil:
		h.log.Info("store writes succeed again: intake resumed")
		h.failed = nil
	}
}

// intakeHealth is storeHealth as the intake asks and tells it
// (trigger.Health): a failed write also asks the store whether it was
// lost, since a write error may be the first sign of a removed file.
type intakeHealth struct {
	h  *storeHealth
	st store.Store
}

func (i intakeHealth) Refusing(now time.Time) error { return i.h.refusing(now) }

func (i intakeHealth) Wrote(err error, now time.Time) {
	i.h.wrote(err, now)
	if err != nil {
		i.h.check(i.st)
	}
}

// view is the store's part of the health detail (GET /api/v1/health).
func (h *storeHealth) view(now time.Time) map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.lost != nil:
		return map[string]any{"status": "lost", "error": h.lost.Error()}
	case h.failed != nil && now.Sub(h.failedAt) < storeCooldown:
		return map[string]any{"status": "failing", "error": h.failed.Error(), "since": h.failedAt.UTC()}
	case h.unreachable(now) != nil:
		r := h.unreachable(now)
		return map[string]any{"status": "failing", "error": r.what + ": " + r.err.Error(), "since": r.since.UTC()}
	case h.failed != nil:
		return map[string]any{"status": "retrying", "error": h.failed.Error(), "since": h.failedAt.UTC()}
	}
	return map[string]any{"status": "ok"}
}

// watchStore checks the store every storeCheckEvery until ctx is done.
func (e *Engine) watchStore(ctx context.Context) {
	t := time.NewTicker(storeCheckEvery)
	defer t.Stop()
	for {
		e.storeHealth.check(e.opts.Store)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
