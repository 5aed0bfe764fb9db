package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

var cancelTests = []test{
	{"CancelPending", testCancelPending},
	{"CancelWaiting", testCancelWaiting},
	{"CancelRefused", testCancelRefused},
	{"CancelRacesClaim", testCancelRacesClaim},
	{"CanceledIsPruned", testCanceledIsPruned},
	{"CanceledIsReplayed", testCanceledIsReplayed},
	{"WakeNow", testWakeNow},
	{"WakeRefused", testWakeRefused},
}

// mustPark claims execution id and parks it until wake with the waiting
// entry of its card "pause".
func mustPark(t *testing.T, s store.Store, id string, wake time.Time) store.JournalEntry {
	t.Helper()
	if got := mustClaim(t, s, "w1", 1, time.Minute); len(got) != 1 || got[0].ID != id {
		t.Fatalf("Claim = %v, want [%s]", idsOf(got), id)
	}
	parked := waitingEntry(id, wake)
	parked.Tables = nil
	if err := s.Park(ctx(t), id, wake, parked); err != nil {
		t.Fatalf("Park: %v", err)
	}
	return parked
}

// wantCanceled checks that execution id is canceled with reason, ended
// between before and now, held by nobody and due never.
func wantCanceled(t *testing.T, s store.Store, id, reason string, before time.Time) {
	t.Helper()
	e := mustExecution(t, s, id)
	if e.Status != store.Canceled || e.Error != reason || !e.WakeAt.IsZero() || e.Owner != "" || !e.LeaseUntil.IsZero() {
		t.Errorf("canceled = {Status:%s Error:%q WakeAt:%v Owner:%q LeaseUntil:%v}, want {canceled %q zero \"\" zero}",
			e.Status, e.Error, e.WakeAt, e.Owner, e.LeaseUntil, reason)
	}
	if !within(e.EndedAt, before, time.Now()) {
		t.Errorf("EndedAt = %v, want between %v and now", e.EndedAt, before)
	}
	if !e.Status.Final() {
		t.Errorf("canceled is not final")
	}
}

// testCancelPending: a canceled pending execution is final, says why, and
// no claim takes it.
func testCancelPending(t *testing.T, s store.Store) {
	ids := mustEnqueue(t, s, events("a", "p", 2)...)
	before := time.Now()
	reason := store.CancelReason("alice", "user left before approval")
	if err := s.Cancel(ctx(t), ids[0], reason); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	wantCanceled(t, s, ids[0], "canceled by alice: user left before approval", before)
	mustDepth(t, s, 1)
	if got := mustClaim(t, s, "w1", 10, time.Minute); len(got) != 1 || got[0].ID != ids[1] {
		t.Errorf("Claim after Cancel = %v, want only [%s]", idsOf(got), ids[1])
	}
	got, err := s.Executions(ctx(t), store.Filter{Status: store.Canceled})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != ids[0] {
		t.Errorf("Executions(status canceled) = %v, want [%s]", idsOf(got), ids[0])
	}
}

// testCancelWaiting: a canceled waiting execution keeps its journal and is
// never claimed, even after the time it was parked until.
func testCancelWaiting(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	wake := time.Now().Add(200 * time.Millisecond).Truncate(time.Millisecond)
	parked := mustPark(t, s, id, wake)
	before := time.Now()
	if err := s.Cancel(ctx(t), id, "canceled by bob"); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	wantCanceled(t, s, id, "canceled by bob", before)
	wantJournal(t, s, id, []store.JournalEntry{parked})
	time.Sleep(time.Until(wake) + 50*time.Millisecond)
	if got := mustClaim(t, s, "w2", 10, time.Minute); len(got) != 0 {
		t.Errorf("Claim after the canceled execution's wake time = %v, want none", idsOf(got))
	}
}

// testCancelRefused: a running, a final, a canceled and an unknown
// execution are refused, each with its own error, and left as they were.
func testCancelRefused(t *testing.T, s store.Store) {
	running := mustEnqueue(t, s, event("a", "running"))[0]
	mustClaim(t, s, "w1", 1, time.Minute)
	failed := mustFail(t, s, "failed", "c1")
	canceled := mustEnqueue(t, s, event("a", "canceled"))[0]
	if err := s.Cancel(ctx(t), canceled, "canceled by alice"); err != nil {
		t.Fatal(err)
	}
	err := s.Cancel(ctx(t), running, "canceled by alice")
	wantErrIs(t, "Cancel(running)", err, store.ErrRunning)
	if err != nil && !strings.Contains(err.Error(), "running") {
		t.Errorf("Cancel(running) = %q, want it to say it is running", err)
	}
	wantErrIs(t, "Cancel(failed)", s.Cancel(ctx(t), failed, "x"), store.ErrFinished)
	wantErrIs(t, "Cancel(canceled)", s.Cancel(ctx(t), canceled, "again"), store.ErrFinished)
	wantErrIs(t, "Cancel(unknown)", s.Cancel(ctx(t), "ex_missing", "x"), store.ErrNotFound)
	if e := mustExecution(t, s, running); e.Status != store.Running || e.Owner != "w1" || e.Error != "" {
		t.Errorf("after a refused Cancel: {Status:%s Owner:%s Error:%q}, want running by w1", e.Status, e.Owner, e.Error)
	}
	if e := mustExecution(t, s, failed); e.Status != store.Failed || e.Error != "boom" {
		t.Errorf("after a refused Cancel: {Status:%s Error:%q}, want failed, boom", e.Status, e.Error)
	}
	if e := mustExecution(t, s, canceled); e.Error != "canceled by alice" {
		t.Errorf("a second Cancel changed the reason to %q", e.Error)
	}
}

// testCancelRacesClaim: Cancel and Claim of the same pending executions at
// once: each execution is either canceled and never claimed, or claimed
// (running) and its Cancel refused as running; never both.
func testCancelRacesClaim(t *testing.T, s store.Store) {
	for round := range 5 {
		const n = 8
		ids := mustEnqueue(t, s, events("a", fmt.Sprintf("r%d", round), n)...)
		var (
			wg      sync.WaitGroup
			claimed []*store.Execution
			errs    = make([]error, n)
		)
		start := make(chan struct{})
		wg.Go(func() {
			<-start
			var err error
			if claimed, err = s.Claim(ctx(t), "w1", n, time.Minute, store.ClaimOptions{}); err != nil {
				t.Errorf("Claim: %v", err)
			}
		})
		for i, id := range ids {
			wg.Go(func() {
				<-start
				errs[i] = s.Cancel(ctx(t), id, "canceled by race")
			})
		}
		close(start)
		wg.Wait()
		took := map[string]bool{}
		for _, e := range claimed {
			took[e.ID] = true
		}
		for i, id := range ids {
			e := mustExecution(t, s, id)
			switch {
			case took[id] && errs[i] == nil:
				t.Errorf("round %d: %s was both claimed and canceled (now %s)", round, id, e.Status)
			case took[id] && !errors.Is(errs[i], store.ErrRunning):
				t.Errorf("round %d: Cancel of claimed %s: %v, want ErrRunning", round, id, errs[i])
			case took[id] && e.Status != store.Running:
				t.Errorf("round %d: claimed %s is %s, want running", round, id, e.Status)
			case !took[id] && errs[i] != nil:
				t.Errorf("round %d: %s was neither claimed nor canceled: %v", round, id, errs[i])
			case !took[id] && e.Status != store.Canceled:
				t.Errorf("round %d: canceled %s is %s", round, id, e.Status)
			}
		}
		if got := mustClaim(t, s, "w2", 100, time.Minute); len(got) != 0 {
			t.Errorf("round %d: a later Claim took %v", round, idsOf(got))
		}
	}
}

// testCanceledIsPruned: retention deletes canceled executions as it does
// succeeded ones, without Prune.Failed.
func testCanceledIsPruned(t *testing.T, s store.Store) {
	pr, ok := s.(store.Pruner)
	if !ok {
		t.Skip("the store does not prune")
	}
	id := mustEnqueue(t, s, event("a", "k"))[0]
	if err := s.Cancel(ctx(t), id, "canceled by alice"); err != nil {
		t.Fatal(err)
	}
	p := store.Prune{Before: time.Now().Add(time.Hour)}
	if n, err := pr.Prune(ctx(t), p); err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want the canceled execution", n, err)
	}
	gone(t, s, id)
}

// testCanceledIsReplayed: a canceled execution is replayed without force,
// and goes on from the card it waited in, its earlier cards kept.
func testCanceledIsReplayed(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	mustClaim(t, s, "w1", 1, time.Minute)
	first := entry(id, "read", 1)
	first.Status, first.Error, first.ErrorKind = store.EntryOK, "", ""
	if err := s.Append(ctx(t), first); err != nil {
		t.Fatal(err)
	}
	wake := time.Now().Add(time.Hour)
	if err := s.Park(ctx(t), id, wake, waitingEntry(id, wake)); err != nil {
		t.Fatal(err)
	}
	if err := s.Cancel(ctx(t), id, "canceled by alice"); err != nil {
		t.Fatal(err)
	}
	res, err := store.Replay(ctx(t), s, id, store.ReplayOptions{})
	if err != nil {
		t.Fatalf("Replay(canceled): %v", err)
	}
	if res.FromCard != "pause" {
		t.Errorf("Replay(canceled).FromCard = %q, want pause (where it waited)", res.FromCard)
	}
	if e := mustExecution(t, s, id); e.Status != store.Pending || e.Error != "" || !e.EndedAt.IsZero() {
		t.Errorf("replayed = {Status:%s Error:%q EndedAt:%v}, want pending", e.Status, e.Error, e.EndedAt)
	}
	j, err := s.Journal(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range j {
		if e.Status == store.EntryReset {
			t.Errorf("Replay(canceled) reset card %s: its cards that ran must not run again", e.Card)
		}
	}
}

// testWakeNow: a woken execution is due at once: the next claim takes it
// long before the time it was parked until, and the waits it cut short
// are journaled as ending now.
func testWakeNow(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	wake := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	parked := mustPark(t, s, id, wake)
	if got := mustClaim(t, s, "w2", 10, time.Minute); len(got) != 0 {
		t.Fatalf("Claim before Wake = %v, want none", idsOf(got))
	}
	before := time.Now()
	if _, err := store.Wake(ctx(t), s, id); err != nil {
		t.Fatalf("Wake: %v", err)
	}
	e := mustExecution(t, s, id)
	if e.Status != store.Waiting || !within(e.WakeAt, before.Add(-time.Second), time.Now().Add(time.Second)) {
		t.Errorf("woken = {Status:%s WakeAt:%v}, want waiting, due now", e.Status, e.WakeAt)
	}
	j, err := s.Journal(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(j) != 2 || j[1].Card != parked.Card || j[1].Status != store.EntryWaiting || j[1].Attempt != parked.Attempt ||
		!strings.Contains(string(j[1].Output), `"reason":"wait"`) || strings.Contains(string(j[1].Output), wake.UTC().Format("2006-01-02T15:04:05")) {
		t.Errorf("journal after Wake = %+v, want the park's entry and a waiting entry of card pause ending now", j)
	}
	got := mustClaim(t, s, "w2", 10, time.Minute)
	if len(got) != 1 || got[0].ID != id {
		t.Fatalf("Claim after Wake = %v, want [%s]", idsOf(got), id)
	}
}

// testWakeRefused: only a waiting execution is woken, and only while it
// waits until the time its caller read; a refused Wake journals nothing.
func testWakeRefused(t *testing.T, s store.Store) {
	failed := mustFail(t, s, "failed", "c1")
	wantErrIs(t, "Wake(failed)", errOf(store.Wake(ctx(t), s, failed)), store.ErrNotWaiting)
	pending := mustEnqueue(t, s, event("a", "pending"))[0]
	wantErrIs(t, "Wake(pending)", errOf(store.Wake(ctx(t), s, pending)), store.ErrNotWaiting)
	wantErrIs(t, "Wake(unknown)", errOf(store.Wake(ctx(t), s, "ex_missing")), store.ErrNotFound)
	wantErrIs(t, "Worker.Wake(unknown)", s.Wake(ctx(t), "ex_missing", time.Now()), store.ErrNotFound)
	// The pending one running, out of the way.
	if got := mustClaim(t, s, "w0", 1, time.Minute); len(got) != 1 || got[0].ID != pending {
		t.Fatalf("Claim = %v, want [%s]", idsOf(got), pending)
	}
	id := mustEnqueue(t, s, event("a", "k"))[0]
	wake := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	mustPark(t, s, id, wake)
	cut := waitingEntry(id, time.Now())
	cut.Tables = []store.TableWrite{{Table: "waits", Key: "refused", Row: []byte(`{}`)}}
	wantErrIs(t, "Worker.Wake(parked until another time)", s.Wake(ctx(t), id, wake.Add(time.Minute), cut), store.ErrNotWaiting)
	wantErrIs(t, "Worker.Wake(running)", s.Wake(ctx(t), pending, time.Time{}, waitingEntry(pending, time.Now())), store.ErrNotWaiting)
	if j, err := s.Journal(ctx(t), id); err != nil || len(j) != 1 {
		t.Errorf("journal after a refused Wake: %d entries, %v; want the park's only", len(j), err)
	}
	if got := tableRow(t, s, "waits", "refused"); got != nil {
		t.Errorf("a refused Wake wrote row refused = %q", got)
	}
	if e := mustExecution(t, s, id); !e.WakeAt.Equal(wake) {
		t.Errorf("a refused Wake moved WakeAt to %v, want %v", e.WakeAt, wake)
	}
}

func errOf(_ *store.Execution, err error) error { return err }
