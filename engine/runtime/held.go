package runtime

import (
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/trigger"
)

// Bounds of what a pool holds for executions the intake left pending
// (trigger.Workers.Hold). An execution whose event was dropped fails
// rather than run on the stored event, so the bounds are wide: an event
// waits for a worker seconds under overload, not minutes.
const (
	heldFor      = 5 * time.Minute
	heldMaxBytes = 64 << 20
)

// heldEvents are the events whose sensitive fields the store lacks,
// kept for the worker that claims their executions from the store.
// Another replica may claim one instead (on PostgreSQL): what it would
// have taken goes after heldFor.
type heldEvents struct {
	mu    sync.Mutex
	m     map[heldKey]heldEvent
	bytes int
	// swept is when sweep last looked.
	swept time.Time
}

type heldKey struct{ flow, key string }

type heldEvent struct {
	r  *trigger.Received
	at time.Time
}

// hold keeps r for the event of flow with dedup key key, unless one is
// held for it already.
func (h *heldEvents) hold(flow, key string, r *trigger.Received, now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := heldKey{flow, key}
	if _, ok := h.m[k]; ok {
		return false
	}
	if h.m == nil {
		h.m = map[heldKey]heldEvent{}
	}
	h.expire(now, len(r.Payload))
	h.m[k] = heldEvent{r: r, at: now}
	h.bytes += len(r.Payload)
	return true
}

// expire drops what was held longer than heldFor, and, while the events
// held and n more bytes are over heldMaxBytes, the oldest.
func (h *heldEvents) expire(now time.Time, n int) {
	for k, e := range h.m {
		if now.Sub(e.at) > heldFor {
			h.dropLocked(k)
		}
	}
	for h.bytes+n > heldMaxBytes && len(h.m) > 0 {
		var oldest heldKey
		var at time.Time
		for k, e := range h.m {
			if at.IsZero() || e.at.Before(at) {
				oldest, at = k, e.at
			}
		}
		h.dropLocked(oldest)
	}
}

// sweep drops what was held longer than heldFor, looking at most once
// per heldSweep: an event no worker here claims (cancelled while pending,
// claimed by another replica) is not kept until the next one is held.
func (h *heldEvents) sweep(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.m) == 0 || now.Sub(h.swept) < heldSweep {
		return
	}
	h.swept = now
	h.expire(now, 0)
}

// heldSweep is how often sweep looks.
const heldSweep = time.Minute

func (h *heldEvents) dropLocked(k heldKey) {
	if e, ok := h.m[k]; ok {
		h.bytes -= len(e.r.Payload)
		delete(h.m, k)
	}
}

// take returns, and no longer holds, what is held for the event of flow
// with dedup key key; nil when nothing is.
func (h *heldEvents) take(flow, key string) *trigger.Received {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.m) == 0 {
		return nil
	}
	k := heldKey{flow, key}
	e, ok := h.m[k]
	if !ok {
		return nil
	}
	h.dropLocked(k)
	return e.r
}

// release drops what is held for the event of flow with dedup key key.
func (h *heldEvents) release(flow, key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropLocked(heldKey{flow, key})
}

// Hold implements trigger.Workers: it keeps r for the worker that claims
// the execution of the event of flow with dedup key key.
func (p *Pool) Hold(flow, key string, r *trigger.Received) bool {
	return p.held.hold(flow, key, r, time.Now())
}

// Release implements trigger.Workers.
func (p *Pool) Release(flow, key string) { p.held.release(flow, key) }
