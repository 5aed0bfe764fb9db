package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

var pruneTests = []test{
	{"DeletesOnlyOldFinished", testPruneDeletesOnlyOldFinished},
	{"KeepsRecent", testPruneKeepsRecent},
	{"Batches", testPruneBatches},
	{"FreesDedupKeys", testPruneFreesDedupKeys},
	{"KeepsReopened", testPruneKeepsReopened},
	{"KeepsParked", testPruneKeepsParked},
}

// pruner is s as a store.Pruner; every store of this module is one.
func pruner(t *testing.T, s store.Store) store.Pruner {
	t.Helper()
	p, ok := s.(store.Pruner)
	if !ok {
		t.Fatalf("%T is not a store.Pruner", s)
	}
	return p
}

func mustPrune(t *testing.T, s store.Store, p store.Prune) int {
	t.Helper()
	n, err := pruner(t, s).Prune(ctx(t), p)
	if err != nil {
		t.Fatalf("Prune(%+v): %v", p, err)
	}
	return n
}

func wantPrunable(t *testing.T, s store.Store, p store.Prune, want int) {
	t.Helper()
	n, err := pruner(t, s).Prunable(ctx(t), p)
	if err != nil || n != want {
		t.Errorf("Prunable(%+v) = %d, %v; want %d", p, n, err, want)
	}
}

// gone fails unless the execution and its journal are deleted.
func gone(t *testing.T, s store.Store, id string) {
	t.Helper()
	if _, err := s.Execution(ctx(t), id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Execution(%s) after Prune: %v, want ErrNotFound", id, err)
	}
	if j, err := s.Journal(ctx(t), id); len(j) != 0 || (err != nil && !errors.Is(err, store.ErrNotFound)) {
		t.Errorf("Journal(%s) after Prune = %d entries, %v; want none", id, len(j), err)
	}
}

// finished enqueues one execution per status (the final ones finished
// with a journal entry, one running) and returns their ids by status.
func finished(t *testing.T, s store.Store) map[store.Status]string {
	t.Helper()
	ids := map[store.Status]string{}
	for _, st := range []store.Status{store.Running, store.Succeeded, store.Halted, store.Filtered, store.Failed, store.Pending} {
		id := mustEnqueue(t, s, event("a", string(st)))[0]
		ids[st] = id
		if st == store.Running {
			if got := mustClaim(t, s, "w", 1, time.Minute); len(got) != 1 || got[0].ID != id {
				t.Fatalf("claimed %v, want %s", idsOf(got), id)
			}
			continue
		}
		if st.Final() {
			if err := s.Finish(ctx(t), id, st, []byte(`{}`), "", entry(id, "c", 1)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return ids
}

func testPruneDeletesOnlyOldFinished(t *testing.T, s store.Store) {
	ids := finished(t, s)
	later := store.Prune{Before: time.Now().Add(time.Hour)}
	wantPrunable(t, s, later, 3)
	if n := mustPrune(t, s, later); n != 3 {
		t.Errorf("Prune deleted %d, want 3 (succeeded, halted, filtered)", n)
	}
	for _, st := range []store.Status{store.Succeeded, store.Halted, store.Filtered} {
		gone(t, s, ids[st])
	}
	for _, st := range []store.Status{store.Pending, store.Running, store.Failed} {
		if e := mustExecution(t, s, ids[st]); e.Status != st {
			t.Errorf("the %s execution is %s after Prune", st, e.Status)
		}
	}
	if j, err := s.Journal(ctx(t), ids[store.Failed]); err != nil || len(j) != 1 {
		t.Errorf("the failed execution's journal after Prune: %d entries, %v; want 1", len(j), err)
	}
	if n := mustPrune(t, s, later); n != 0 {
		t.Errorf("a second Prune deleted %d, want 0", n)
	}

	withFailed := store.Prune{Before: later.Before, Failed: true}
	wantPrunable(t, s, withFailed, 1)
	if n := mustPrune(t, s, withFailed); n != 1 {
		t.Errorf("Prune with Failed deleted %d, want 1", n)
	}
	gone(t, s, ids[store.Failed])
	mustDepth(t, s, 1)
	if e := mustExecution(t, s, ids[store.Running]); e.Status != store.Running {
		t.Errorf("the running execution is %s after Prune with Failed", e.Status)
	}
}

func testPruneKeepsRecent(t *testing.T, s store.Store) {
	before := time.Now().Add(-time.Second)
	ids := finished(t, s)
	p := store.Prune{Before: before, Failed: true}
	wantPrunable(t, s, p, 0)
	if n := mustPrune(t, s, p); n != 0 {
		t.Errorf("Prune of executions ended after Before deleted %d", n)
	}
	for st, id := range ids {
		if e := mustExecution(t, s, id); e.Status != st {
			t.Errorf("execution %s is %s, want %s", id, e.Status, st)
		}
	}
}

func testPruneBatches(t *testing.T, s store.Store) {
	ids := mustEnqueue(t, s, events("a", "b", 5)...)
	for _, id := range ids {
		if err := s.Finish(ctx(t), id, store.Succeeded, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	p := store.Prune{Before: time.Now().Add(time.Hour), Limit: 2}
	var got []int
	for range 4 {
		got = append(got, mustPrune(t, s, p))
	}
	if !slices.Equal(got, []int{2, 2, 1, 0}) {
		t.Errorf("batches of 2 deleted %v, want [2 2 1 0]", got)
	}
	for _, id := range ids {
		gone(t, s, id)
	}
}

func testPruneFreesDedupKeys(t *testing.T, s store.Store) {
	ev := event("a", "once")
	id := mustEnqueue(t, s, ev)[0]
	if err := s.Finish(ctx(t), id, store.Succeeded, nil, ""); err != nil {
		t.Fatal(err)
	}
	if n := mustPrune(t, s, store.Prune{Before: time.Now().Add(time.Hour)}); n != 1 {
		t.Fatalf("Prune deleted %d, want 1", n)
	}
	res, err := s.Enqueue(ctx(t), []store.Event{ev}, store.EnqueueOptions{})
	if err != nil || len(res) != 1 || res[0].Duplicate || res[0].ID == id {
		t.Errorf("Enqueue of a pruned event again = %+v, %v; want a new execution", res, err)
	}
}

// A failed execution that a replay reopened is pending: Prune, even with
// Failed, leaves it to run.
func testPruneKeepsReopened(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "r"))[0]
	if err := s.Finish(ctx(t), id, store.Failed, nil, "boom"); err != nil {
		t.Fatal(err)
	}
	if err := s.Reopen(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	if n := mustPrune(t, s, store.Prune{Before: time.Now().Add(time.Hour), Failed: true}); n != 0 {
		t.Errorf("Prune deleted %d executions, want the reopened one kept", n)
	}
	if e := mustExecution(t, s, id); e.Status != store.Pending {
		t.Errorf("the reopened execution is %s", e.Status)
	}
}

// A parked execution (waiting for its wake-up time) is live: Prune, even
// with Failed, leaves it, however long ago it was received.
func testPruneKeepsParked(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "p"))[0]
	if got := mustClaim(t, s, "w", 1, time.Minute); len(got) != 1 {
		t.Fatalf("claimed %v", idsOf(got))
	}
	if err := s.Park(ctx(t), id, time.Now().Add(time.Hour), entry(id, "wait", 1)); err != nil {
		t.Fatal(err)
	}
	p := store.Prune{Before: time.Now().Add(time.Hour), Failed: true}
	wantPrunable(t, s, p, 0)
	if n := mustPrune(t, s, p); n != 0 {
		t.Errorf("Prune deleted %d executions, want the parked one kept", n)
	}
	if e := mustExecution(t, s, id); e.Status != store.Waiting {
		t.Errorf("the parked execution is %s", e.Status)
	}
}
