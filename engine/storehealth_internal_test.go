package engine

import (
	"errors"
	"log/slog"
	"testing"
	"time"
)

// TestStoreUnavailableWhileClaimsFail: a failed claim makes the store
// unavailable for storeCooldown, and for as long as the next claim waits
// for its answer (a server that does not answer holds a claim longer than
// the cooldown: /healthz must not flap to 200 meanwhile); a claim that
// succeeds ends it; intake does not refuse events for a failed claim.
func TestStoreUnavailableWhileClaimsFail(t *testing.T) {
	h := &storeHealth{log: slog.New(slog.DiscardHandler)}
	c := claimHealth{h: h}
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	down := errors.New("dial error (connection refused)")
	steps := []struct {
		name string
		do   func()
		at   time.Duration
		want bool
	}{
		{"healthy", func() { c.ClaimStarted(t0); c.ClaimEnded(nil, t0) }, 0, false},
		{"a claim failed", func() { c.ClaimStarted(t0); c.ClaimEnded(down, t0) }, time.Second, true},
		{"cooldown over", func() {}, storeCooldown, false},
		{"the next claim waits for an answer", func() { c.ClaimStarted(t0.Add(storeCooldown)) }, 3 * storeCooldown, true},
		{"it times out", func() { c.ClaimEnded(down, t0.Add(4*storeCooldown)) }, 4*storeCooldown + time.Second, true},
		{"a claim works", func() { c.ClaimStarted(t0.Add(5 * storeCooldown)); c.ClaimEnded(nil, t0.Add(5*storeCooldown)) }, 5 * storeCooldown, false},
	}
	for _, s := range steps {
		s.do()
		now := t0.Add(s.at)
		if got := h.unavailable(now) != nil; got != s.want {
			t.Errorf("%s: unavailable is %v, want %v", s.name, got, s.want)
		}
		if h.refusing(now) != nil {
			t.Errorf("%s: intake refuses events for a failed claim", s.name)
		}
	}
}
