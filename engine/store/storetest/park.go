package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/engine/store"
)

var parkTests = []test{
	{"ParkThenWake", testParkThenWake},
	{"ParkWakesInOrder", testParkWakesInOrder},
	{"ParkRefusedWritesNothing", testParkRefusedWritesNothing},
	{"ParkedIsLive", testParkedIsLive},
}

// waitingEntry is the journal entry a parked card leaves.
func waitingEntry(id string, wake time.Time) store.JournalEntry {
	en := entry(id, "pause", 2)
	en.Status, en.Error, en.ErrorKind = store.EntryWaiting, "", ""
	en.Output = []byte(`{"until":"` + wake.UTC().Format(time.RFC3339Nano) + `","reason":"wait"}`)
	en.Tables = []store.TableWrite{{Table: "waits", Key: id, Row: []byte(`{"parked":true}`)}}
	return en
}

// testParkThenWake: a parked execution is waiting, with no owner and its
// claim taken back, until its wake time; then a claim takes it as it takes
// a pending one, and clears the wake time.
func testParkThenWake(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	mustClaim(t, s, "w1", 1, time.Minute)
	first := entry(id, "read", 1)
	if err := s.Append(ctx(t), first); err != nil {
		t.Fatal(err)
	}
	wake := time.Now().Add(300 * time.Millisecond).Truncate(time.Millisecond)
	parked := waitingEntry(id, wake)
	if err := s.Park(ctx(t), id, wake, parked); err != nil {
		t.Fatalf("Park: %v", err)
	}
	e := mustExecution(t, s, id)
	if e.Status != store.Waiting || e.Owner != "" || !e.LeaseUntil.IsZero() || e.Claims != 0 || !e.EndedAt.IsZero() {
		t.Errorf("parked = {Status:%s Owner:%q LeaseUntil:%v Claims:%d EndedAt:%v}, want {waiting \"\" zero 0 zero}",
			e.Status, e.Owner, e.LeaseUntil, e.Claims, e.EndedAt)
	}
	if diff := cmp.Diff(wake, e.WakeAt, cmpOpts); diff != "" {
		t.Errorf("WakeAt (-parked +read):\n%s", diff)
	}
	parked.Tables = nil // applied, not kept
	wantJournal(t, s, id, []store.JournalEntry{first, parked})
	if got := string(tableRow(t, s, "waits", id)); got != `{"parked":true}` {
		t.Errorf("table row written with the park = %q", got)
	}
	if got := mustClaim(t, s, "w2", 10, time.Minute); len(got) != 0 {
		t.Fatalf("Claim before the wake time = %v, want none", idsOf(got))
	}
	time.Sleep(time.Until(wake) + 10*time.Millisecond)
	got := mustClaim(t, s, "w2", 10, time.Minute)
	if len(got) != 1 || got[0].ID != id {
		t.Fatalf("Claim after the wake time = %v, want [%s]", idsOf(got), id)
	}
	if c := got[0]; c.Status != store.Running || c.Owner != "w2" || c.Claims != 1 || !c.WakeAt.IsZero() {
		t.Errorf("woken = {Status:%s Owner:%s Claims:%d WakeAt:%v}, want {running w2 1 zero}", c.Status, c.Owner, c.Claims, c.WakeAt)
	}
	if e := mustExecution(t, s, id); !e.WakeAt.IsZero() || e.Status != store.Running {
		t.Errorf("read back after the claim: Status %s, WakeAt %v, want running and zero", e.Status, e.WakeAt)
	}
}

// testParkWakesInOrder: only the executions whose wake time has come are
// claimed, beside the pending ones, oldest first.
func testParkWakesInOrder(t *testing.T, s store.Store) {
	ids := mustEnqueue(t, s, events("a", "p", 3)...)
	mustClaim(t, s, "w1", 3, time.Minute)
	now := time.Now()
	if err := s.Park(ctx(t), ids[0], now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Park(ctx(t), ids[1], now.Add(-time.Second)); err != nil { // due already
		t.Fatal(err)
	}
	if err := s.Park(ctx(t), ids[2], now.Add(150*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	later := mustEnqueue(t, s, event("a", "later"))[0]
	got := idsOf(mustClaim(t, s, "w2", 10, time.Minute))
	if diff := cmp.Diff([]string{ids[1], later}, got); diff != "" {
		t.Errorf("Claim with one wait due (-want +got):\n%s", diff)
	}
	time.Sleep(200 * time.Millisecond)
	got = idsOf(mustClaim(t, s, "w2", 10, time.Minute))
	if diff := cmp.Diff([]string{ids[2]}, got); diff != "" {
		t.Errorf("Claim after the second wake time (-want +got):\n%s", diff)
	}
	if e := mustExecution(t, s, ids[0]); e.Status != store.Waiting {
		t.Errorf("execution due in an hour is %s, want waiting", e.Status)
	}
}

// testParkRefusedWritesNothing: only a running execution parks; a refused
// park appends none of its entries and applies none of their table writes.
func testParkRefusedWritesNothing(t *testing.T, s store.Store) {
	wake := time.Now().Add(time.Hour)
	wantErrIs(t, "Park(unknown id)", s.Park(ctx(t), "ex_missing", wake), store.ErrNotFound)
	pending := mustEnqueue(t, s, event("a", "pending"))[0]
	wantErrIs(t, "Park(pending)", s.Park(ctx(t), pending, wake, waitingEntry(pending, wake)), store.ErrNotFound)
	done := mustEnqueue(t, s, event("a", "done"))[0]
	mustClaim(t, s, "w1", 2, time.Minute)
	if err := s.Finish(ctx(t), done, store.Succeeded, nil, ""); err != nil {
		t.Fatal(err)
	}
	wantErrIs(t, "Park(finished)", s.Park(ctx(t), done, wake, waitingEntry(done, wake)), store.ErrNotFound)
	if e := mustExecution(t, s, done); e.Status != store.Succeeded || !e.WakeAt.IsZero() {
		t.Errorf("finished execution after a refused Park: %s, WakeAt %v", e.Status, e.WakeAt)
	}
	wantJournal(t, s, done, nil)
	if got := tableRow(t, s, "waits", done); got != nil {
		t.Errorf("a refused Park wrote table row %q", got)
	}
	running := mustEnqueue(t, s, event("a", "running"))[0]
	mustClaim(t, s, "w1", 1, time.Minute)
	other := waitingEntry(pending, wake)
	if err := s.Park(ctx(t), running, wake, other); err == nil {
		t.Errorf("Park with another execution's entry: no error")
	}
	if e := mustExecution(t, s, running); e.Status != store.Running {
		t.Errorf("Park with another execution's entry left it %s, want running", e.Status)
	}
}

// testParkedIsLive: a waiting execution is not in the inbox's depth, is
// listed by status, and is not final: a replay cannot reopen it.
func testParkedIsLive(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	mustClaim(t, s, "w1", 1, time.Minute)
	if err := s.Park(ctx(t), id, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mustDepth(t, s, 0)
	if store.Waiting.Final() {
		t.Errorf("Waiting.Final() = true")
	}
	got, err := s.Executions(ctx(t), store.Filter{Status: store.Waiting})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{id}, idsOf(got)); diff != "" {
		t.Errorf("Executions(waiting) (-want +got):\n%s", diff)
	}
	got, err = s.Executions(ctx(t), store.Filter{Status: store.Succeeded})
	if err != nil || len(got) != 0 {
		t.Errorf("Executions(succeeded) = %v, %v, want none", idsOf(got), err)
	}
	wantErrIs(t, "Reopen(waiting)", s.Reopen(ctx(t), id), store.ErrNotFinished)
	if e := mustExecution(t, s, id); e.Status != store.Waiting {
		t.Errorf("after a refused Reopen: %s, want waiting", e.Status)
	}
}
