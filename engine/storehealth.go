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

// storeHealth is what intake knows about the store. A store that lost its
// files (removed or replaced while running) is lost until a restart: every
// event is refused, since an acknowledged event written there would vanish.
// A store whose writes fail (disk full, I/O errors) refuses events for
// storeCooldown after each failure, then lets one through; a write that
// succeeds ends the refusal.
type storeHealth struct {
	log *slog.Logger

	mu       sync.Mutex
	lost     error // from store.Checker; stays until restart
	failed   error // the last failed intake write, nil after a success
	failedAt time.Time
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
