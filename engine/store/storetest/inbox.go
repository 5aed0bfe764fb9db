package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/engine/store"
)

var inboxTests = []test{
	{"EnqueueRoundTrip", testEnqueueRoundTrip},
	{"EnqueueDedup", testEnqueueDedup},
	{"EnqueueDedupWithinBatch", testEnqueueDedupWithinBatch},
	{"EnqueueEmptyDedupKey", testEnqueueEmptyDedupKey},
	{"EnqueueInvalidWritesNothing", testEnqueueInvalidWritesNothing},
	{"EnqueueCancelledContext", testEnqueueCancelledContext},
	{"IDsUniqueAndSortable", testIDsUniqueAndSortable},
	{"EnqueueWithCursor", testEnqueueWithCursor},
	{"EnqueueWithCursorAtomic", testEnqueueWithCursorAtomic},
	{"EnqueueZeroOptions", testEnqueueZeroOptions},
	{"Depth", testDepth},
}

func testEnqueueRoundTrip(t *testing.T, s store.Store) {
	ev := store.Event{
		Flow:           "request_approval",
		DedupKey:       "evt-1",
		Type:           "user.lifecycle.create",
		Payload:        []byte(`{"id":"00u1","bytes":"\u0000\u00ff"}`),
		DefinitionHash: "sha256:abc",
		Parent:         "ex_parent",
		ReceivedAt:     time.Date(2026, 11, 28, 12, 30, 45, 123_000_000, time.UTC),
	}
	res, err := s.Enqueue(ctx(t), []store.Event{ev}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].ID == "" || res[0].Duplicate {
		t.Fatalf("Enqueue = %+v, want one new execution", res)
	}
	want := &store.Execution{
		ID:             res[0].ID,
		Flow:           ev.Flow,
		DedupKey:       ev.DedupKey,
		Type:           ev.Type,
		DefinitionHash: ev.DefinitionHash,
		Status:         store.Pending,
		Payload:        ev.Payload,
		Parent:         ev.Parent,
		ReceivedAt:     ev.ReceivedAt,
	}
	if diff := cmp.Diff(want, mustExecution(t, s, res[0].ID), cmpOpts); diff != "" {
		t.Errorf("Execution after Enqueue (-want +got):\n%s", diff)
	}

	// A zero ReceivedAt means "now".
	before := time.Now()
	id := mustEnqueue(t, s, store.Event{Flow: "f", DedupKey: "no-time"})[0]
	if got := mustExecution(t, s, id).ReceivedAt; !within(got, before, time.Now()) {
		t.Errorf("ReceivedAt of an event without one = %v, want about %v", got, before)
	}

	if _, err := s.Execution(ctx(t), "ex_missing"); err == nil {
		t.Error("Execution(unknown id) succeeded")
	} else {
		wantErrIs(t, "Execution(unknown id)", err, store.ErrNotFound)
	}
}

func testEnqueueDedup(t *testing.T, s store.Store) {
	first, err := s.Enqueue(ctx(t), []store.Event{event("a", "k1")}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Enqueue(ctx(t), []store.Event{event("a", "k1"), event("b", "k1"), event("a", "k2")}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !again[0].Duplicate || again[0].ID != first[0].ID {
		t.Errorf("re-enqueued (a, k1) = %+v, want Duplicate with ID %s", again[0], first[0].ID)
	}
	if again[1].Duplicate || again[2].Duplicate {
		t.Errorf("(b, k1) and (a, k2) = %+v, %+v, want new executions: dedup is per flow and key", again[1], again[2])
	}
	if again[1].ID == first[0].ID || again[2].ID == first[0].ID || again[1].ID == again[2].ID {
		t.Errorf("ids %s %s %s are not distinct", first[0].ID, again[1].ID, again[2].ID)
	}
	mustDepth(t, s, 3)

	// Dedup holds whatever became of the first execution.
	if err := s.Finish(ctx(t), first[0].ID, store.Succeeded, nil, ""); err != nil {
		t.Fatal(err)
	}
	res, err := s.Enqueue(ctx(t), []store.Event{event("a", "k1")}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Duplicate || res[0].ID != first[0].ID {
		t.Errorf("(a, k1) after Finish = %+v, want Duplicate of %s", res[0], first[0].ID)
	}
}

func testEnqueueDedupWithinBatch(t *testing.T, s store.Store) {
	res, err := s.Enqueue(ctx(t), []store.Event{event("a", "k"), event("a", "other"), event("a", "k")}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Duplicate || res[1].Duplicate {
		t.Errorf("first occurrences marked duplicate: %+v", res)
	}
	if !res[2].Duplicate || res[2].ID != res[0].ID {
		t.Errorf("second (a, k) in one batch = %+v, want Duplicate with ID %s", res[2], res[0].ID)
	}
	mustDepth(t, s, 2)
}

func testEnqueueEmptyDedupKey(t *testing.T, s store.Store) {
	ev := event("a", "")
	ids := mustEnqueue(t, s, ev, ev)
	if ids[0] == ids[1] {
		t.Errorf("events without a dedup key share id %s; an empty key must not deduplicate", ids[0])
	}
	mustDepth(t, s, 2)
}

func testEnqueueInvalidWritesNothing(t *testing.T, s store.Store) {
	_, err := s.Enqueue(ctx(t), []store.Event{event("a", "k1"), {DedupKey: "no-flow"}}, store.EnqueueOptions{})
	if err == nil {
		t.Fatal("Enqueue of an event without a flow succeeded")
	}
	mustDepth(t, s, 0)
	// The rejected batch left no dedup key behind.
	if res, err := s.Enqueue(ctx(t), []store.Event{event("a", "k1")}, store.EnqueueOptions{}); err != nil || res[0].Duplicate {
		t.Errorf("Enqueue after a failed batch = %+v, %v, want a new execution", res, err)
	}
}

func testEnqueueCancelledContext(t *testing.T, s store.Store) {
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	if _, err := s.Enqueue(c, []store.Event{event("a", "k")}, store.EnqueueOptions{}); err == nil {
		t.Error("Enqueue with a cancelled context succeeded")
	}
	mustDepth(t, s, 0)
}

func testIDsUniqueAndSortable(t *testing.T, s store.Store) {
	var all []string
	for i := range 10 {
		batch := mustEnqueue(t, s, events("a", string(rune('a'+i)), 50)...)
		if !slices.IsSorted(batch) {
			t.Errorf("ids within one batch are not increasing: %v", batch)
		}
		all = append(all, batch...)
	}
	seen := make(map[string]bool)
	for _, id := range all {
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id] = true
	}
	if !slices.IsSorted(all) {
		t.Error("ids of successive batches are not increasing")
	}
	before := mustEnqueue(t, s, event("b", "before"))[0]
	time.Sleep(3 * time.Millisecond)
	after := mustEnqueue(t, s, event("b", "after"))[0]
	if before >= after {
		t.Errorf("id %s enqueued 3ms after %s does not sort after it", after, before)
	}
}

func testEnqueueWithCursor(t *testing.T, s store.Store) {
	if c, err := s.Cursor(ctx(t), "snow:incident"); err != nil || c != nil {
		t.Fatalf("Cursor before any set = %q, %v, want nil, nil", c, err)
	}
	res, err := s.Enqueue(ctx(t), events("p", "r", 3), store.EnqueueOptions{CursorKey: "snow:incident", Cursor: []byte("2026-11-28 10:00:00")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Fatalf("Enqueue with a cursor returned %d results, want 3", len(res))
	}
	mustDepth(t, s, 3)
	if c, err := s.Cursor(ctx(t), "snow:incident"); err != nil || string(c) != "2026-11-28 10:00:00" {
		t.Errorf("Cursor = %q, %v, want the one set with the events", c, err)
	}

	// Overlapping polls: duplicates are reported, the cursor still moves.
	res, err = s.Enqueue(ctx(t), events("p", "r", 4), store.EnqueueOptions{CursorKey: "snow:incident", Cursor: []byte("2026-11-28 10:05:00")})
	if err != nil {
		t.Fatal(err)
	}
	dups := 0
	for _, r := range res {
		if r.Duplicate {
			dups++
		}
	}
	if dups != 3 {
		t.Errorf("overlapping poll: %d duplicates, want 3", dups)
	}
	mustDepth(t, s, 4)
	if c, _ := s.Cursor(ctx(t), "snow:incident"); string(c) != "2026-11-28 10:05:00" {
		t.Errorf("Cursor after an all-but-one duplicate poll = %q, want it advanced", c)
	}

	// A poll with no new records still advances the cursor.
	if _, err := s.Enqueue(ctx(t), nil, store.EnqueueOptions{CursorKey: "snow:incident", Cursor: []byte("later")}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Cursor(ctx(t), "snow:incident"); string(c) != "later" {
		t.Errorf("Cursor after an empty poll = %q, want %q", c, "later")
	}
}

func testEnqueueWithCursorAtomic(t *testing.T, s store.Store) {
	if err := s.SetCursor(ctx(t), "k", []byte("old")); err != nil {
		t.Fatal(err)
	}
	bad := []store.Event{event("p", "ok"), {DedupKey: "no-flow"}}
	if _, err := s.Enqueue(ctx(t), bad, store.EnqueueOptions{CursorKey: "k", Cursor: []byte("new")}); err == nil {
		t.Fatal("Enqueue with a cursor and an invalid event succeeded")
	}
	if c, _ := s.Cursor(ctx(t), "k"); string(c) != "old" {
		t.Errorf("cursor after a failed Enqueue with a cursor = %q, want %q: cursor and events commit together", c, "old")
	}
	mustDepth(t, s, 0)
}

// testEnqueueZeroOptions: empty options are no options: the events are
// pending, no cursor is set, nothing is claimed; an empty ClaimOptions
// claims without pinning.
func testEnqueueZeroOptions(t *testing.T, s store.Store) {
	res, err := s.Enqueue(ctx(t), events("a", "z", 2), store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Claimed != nil || r.Duplicate {
			t.Errorf("Enqueue with empty options = %+v, want a new pending execution", r)
		}
	}
	if c, err := s.Cursor(ctx(t), ""); err != nil || c != nil {
		t.Errorf(`Cursor("") = %q, %v, want nil, nil: no cursor was named`, c, err)
	}
	mustDepth(t, s, 2)
	got, err := s.Claim(ctx(t), "w1", 1, time.Minute, store.ClaimOptions{})
	if err != nil || len(got) != 1 || got[0].DefinitionHash != "" || got[0].PinnedByClaim {
		t.Errorf("Claim with empty options = %+v, %v, want one execution, unpinned", got, err)
	}
}

func testDepth(t *testing.T, s store.Store) {
	mustDepth(t, s, 0)
	ids := mustEnqueue(t, s, events("a", "d", 5)...)
	mustDepth(t, s, 5)
	mustClaim(t, s, "w1", 2, time.Minute)
	mustDepth(t, s, 3)
	if err := s.Finish(ctx(t), ids[4], store.Filtered, nil, ""); err != nil {
		t.Fatal(err)
	}
	mustDepth(t, s, 2)
}
