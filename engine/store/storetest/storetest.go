package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cardflow/cardflow/engine/store"
)

// Run runs the conformance suite against the stores open returns. Every
// subtest opens its own new, empty store and closes it when it ends; open
// should fail t rather than return nil.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Inbox", inboxTests},
		{"Claim", claimTests},
		{"EnqueueClaimed", enqueueClaimedTests},
		{"Park", parkTests},
		{"Journal", journalTests},
		{"Reopen", reopenTests},
		{"Cancel", cancelTests},
		{"History", historyTests},
		{"State", stateTests},
		{"Prune", pruneTests},
		{"WriteCounts", writeCountsTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					s := open(t)
					t.Cleanup(func() { _ = s.Close() })
					tc.fn(t, s)
				})
			}
		})
	}
}

type test struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// shortLease is long enough for a claim to be observed as held and short
// enough that waiting out twice its length keeps the suite fast.
const shortLease = 50 * time.Millisecond

// cmpOpts compares store values: timestamps to the millisecond (a store may
// keep no more), empty and nil byte slices alike.
var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b time.Time) bool {
		d := a.Sub(b)
		return a.IsZero() == b.IsZero() && d < time.Millisecond && d > -time.Millisecond
	}),
	cmpopts.EquateEmpty(),
}

func ctx(t *testing.T) context.Context { return t.Context() }

// event returns an event of flow with a unique-looking dedup key.
func event(flow, dedup string) store.Event {
	return store.Event{
		Flow:       flow,
		DedupKey:   dedup,
		Type:       "test.event",
		Payload:    []byte(`{"dedup":"` + dedup + `"}`),
		ReceivedAt: time.Now().Truncate(time.Millisecond),
	}
}

// events returns n events of flow with dedup keys prefix-0 … prefix-(n-1).
func events(flow, prefix string, n int) []store.Event {
	evs := make([]store.Event, n)
	for i := range evs {
		evs[i] = event(flow, fmt.Sprintf("%s-%d", prefix, i))
	}
	return evs
}

func mustEnqueue(t *testing.T, s store.Store, evs ...store.Event) []string {
	t.Helper()
	res, err := s.Enqueue(ctx(t), evs, store.EnqueueOptions{})
	if err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
	if len(res) != len(evs) {
		t.Fatalf("Enqueue returned %d results for %d events", len(res), len(evs))
	}
	ids := make([]string, len(res))
	for i, r := range res {
		ids[i] = r.ID
	}
	return ids
}

func mustClaim(t *testing.T, s store.Store, owner string, n int, lease time.Duration) []*store.Execution {
	t.Helper()
	got, err := s.Claim(ctx(t), owner, n, lease, store.ClaimOptions{})
	if err != nil {
		t.Fatalf("Claim(%s, %d): %v", owner, n, err)
	}
	return got
}

func mustExecution(t *testing.T, s store.Store, id string) *store.Execution {
	t.Helper()
	e, err := s.Execution(ctx(t), id)
	if err != nil {
		t.Fatalf("Execution(%s): %v", id, err)
	}
	return e
}

func mustDepth(t *testing.T, s store.Store, want int) {
	t.Helper()
	got, err := s.Depth(ctx(t))
	if err != nil {
		t.Fatalf("Depth: %v", err)
	}
	if got != want {
		t.Errorf("Depth = %d, want %d", got, want)
	}
}

func idsOf(execs []*store.Execution) []string {
	out := make([]string, len(execs))
	for i, e := range execs {
		out[i] = e.ID
	}
	return out
}

func wantErrIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error = %v, want %v", what, err, target)
	}
}

// within reports whether t lies in [lo, hi], give or take a millisecond.
func within(t, lo, hi time.Time) bool {
	return !t.Before(lo.Add(-time.Millisecond)) && !t.After(hi.Add(time.Millisecond))
}
