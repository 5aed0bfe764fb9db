package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

var reopenTests = []test{
	{"WithEntries", testReopenWithEntries},
	{"RefusedWritesNothing", testReopenRefusedWritesNothing},
	{"Concurrent", testReopenConcurrent},
	{"ReplayConcurrent", testReplayConcurrent},
}

// mustFail runs a new execution that journals entries and fails, and
// returns its id.
func mustFail(t *testing.T, s store.Store, dedup string, cards ...string) string {
	t.Helper()
	id := mustEnqueue(t, s, event("a", dedup))[0]
	if got := mustClaim(t, s, "w1", 1, time.Minute); len(got) != 1 || got[0].ID != id {
		t.Fatalf("Claim = %v, want %s", idsOf(got), id)
	}
	var entries []store.JournalEntry
	for _, c := range cards {
		entries = append(entries, entry(id, c, 1))
	}
	if err := s.Finish(ctx(t), id, store.Failed, nil, "boom", entries...); err != nil {
		t.Fatal(err)
	}
	return id
}

// reset returns the reset entry a replay journals for card.
func reset(id, card, key string) store.JournalEntry {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return store.JournalEntry{ExecutionID: id, Card: card, Key: key, Attempt: 1, Status: store.EntryReset, StartedAt: now, EndedAt: now}
}

// testReopenWithEntries: the entries Reopen carries are journaled after
// the execution's, with their table writes, and the execution is pending.
func testReopenWithEntries(t *testing.T, s store.Store) {
	id := mustFail(t, s, "k", "read_user", "compose")
	before, err := s.Journal(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	resets := []store.JournalEntry{reset(id, "read_user", "k-read_user"), reset(id, "compose", "k-compose")}
	resets[1].Tables = []store.TableWrite{{Table: "approvals", Key: "00u1", Row: []byte(`{"n":1}`)}}
	if err := s.Reopen(ctx(t), id, resets...); err != nil {
		t.Fatal(err)
	}
	if e := mustExecution(t, s, id); e.Status != store.Pending || e.Error != "" || !e.EndedAt.IsZero() {
		t.Errorf("reopened = {Status:%s Error:%q EndedAt:%v}, want pending, no error, not ended", e.Status, e.Error, e.EndedAt)
	}
	resets[1].Tables = nil // applied, not journaled
	wantJournal(t, s, id, append(before, resets...))
	if got := string(tableRow(t, s, "approvals", "00u1")); got != `{"n":1}` {
		t.Errorf("row after Reopen = %q, want {\"n\":1}", got)
	}
}

// testReopenRefusedWritesNothing: a Reopen the store refuses (a live
// execution, one already reopened, an unknown one, an entry of another
// execution) journals none of its entries and applies none of their
// table writes.
func testReopenRefusedWritesNothing(t *testing.T, s store.Store) {
	withRow := func(e store.JournalEntry) store.JournalEntry {
		e.Tables = []store.TableWrite{{Table: "approvals", Key: "refused", Row: []byte(`{}`)}}
		return e
	}
	failed := mustFail(t, s, "failed", "c1")
	other := mustFail(t, s, "other", "c1")
	running := mustEnqueue(t, s, event("a", "running"))[0]
	mustClaim(t, s, "w1", 1, time.Minute)
	if err := s.Append(ctx(t), entry(running, "c1", 1)); err != nil {
		t.Fatal(err)
	}
	wantErrIs(t, "Reopen(running) with entries", s.Reopen(ctx(t), running, withRow(reset(running, "c1", "k-c1"))), store.ErrNotFinished)
	wantErrIs(t, "Reopen(unknown id) with entries", s.Reopen(ctx(t), "ex_missing", withRow(reset("ex_missing", "c1", ""))), store.ErrNotFound)
	if err := s.Reopen(ctx(t), failed, reset(failed, "c1", "k-c1"), reset(other, "c1", "k-c1")); err == nil {
		t.Error("Reopen with an entry of another execution succeeded")
	}
	if got := mustExecution(t, s, failed).Status; got != store.Failed {
		t.Errorf("after a refused Reopen: %s, want failed", got)
	}
	if err := s.Reopen(ctx(t), other); err != nil {
		t.Fatal(err)
	}
	wantErrIs(t, "Reopen(reopened) with entries", s.Reopen(ctx(t), other, withRow(reset(other, "c1", "k-c1"))), store.ErrNotFinished)
	for _, id := range []string{failed, other, running} {
		j, err := s.Journal(ctx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range j {
			got = append(got, e.Card+" "+string(e.Status))
		}
		if fmt.Sprint(got) != "[c1 error]" {
			t.Errorf("refused Reopen calls left %s's journal %v, want [c1 error]", id, got)
		}
	}
	if got := mustExecution(t, s, running).Status; got != store.Running {
		t.Errorf("after a refused Reopen: %s, want running", got)
	}
	if got := tableRow(t, s, "approvals", "refused"); got != nil {
		t.Errorf("a refused Reopen wrote row refused = %q", got)
	}
}

// testReopenConcurrent: of concurrent Reopen calls of one failed
// execution, each with its resets, one reopens it and journals its resets;
// the others are refused as not finished and journal nothing.
func testReopenConcurrent(t *testing.T, s store.Store) {
	id := mustFail(t, s, "k", "c1", "c2")
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("replay-%d", i)
			errs[i] = s.Reopen(ctx(t), id, reset(id, "c1", key), reset(id, "c2", key))
		})
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Errorf("Reopen %d and %d both succeeded", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, store.ErrNotFinished):
			t.Errorf("Reopen %d: %v, want success or ErrNotFinished", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no Reopen succeeded")
	}
	j, err := s.Journal(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	var resets []string
	for _, e := range j[2:] {
		resets = append(resets, e.Card+" "+e.Key)
	}
	if want := fmt.Sprintf("[c1 replay-%d c2 replay-%d]", won, won); len(j) != 4 || fmt.Sprint(resets) != want {
		t.Errorf("journal after %d concurrent Reopen calls: %d entries, resets %v, want 4 with resets %s", n, len(j), resets, want)
	}
}

// readBarrier is a store whose Journal waits until n callers have read:
// replays that all read the execution as failed before any writes.
type readBarrier struct {
	store.Store
	mu   sync.Mutex
	n    int
	read chan struct{}
}

func (b *readBarrier) Journal(ctx context.Context, id string) ([]store.JournalEntry, error) {
	j, err := b.Store.Journal(ctx, id)
	b.mu.Lock()
	if b.n--; b.n == 0 {
		close(b.read)
	}
	b.mu.Unlock()
	select {
	case <-b.read:
	case <-time.After(10 * time.Second): // a replay that never read
	}
	return j, err
}

// testReplayConcurrent: two replays of one failed execution that both
// read it as failed: one is queued, the other refused as not finished,
// and the journal holds one set of resets.
func testReplayConcurrent(t *testing.T, s store.Store) {
	id := mustFail(t, s, "k", "c1", "c2")
	const n = 2
	b := &readBarrier{Store: s, n: n, read: make(chan struct{})}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = store.Replay(ctx(t), b, id, store.ReplayOptions{FromCard: "c1"}) })
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrNotFinished):
			t.Errorf("Replay %d: %v, want success or ErrNotFinished", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent replays succeeded, want 1", ok, n)
	}
	j, err := s.Journal(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	var resets []string
	for _, e := range j {
		if e.Status == store.EntryReset {
			resets = append(resets, e.Card)
		}
	}
	if fmt.Sprint(resets) != "[c1 c2]" {
		t.Errorf("resets after %d concurrent replays: %v, want one set [c1 c2]", n, resets)
	}
	if got := mustExecution(t, s, id).Status; got != store.Pending {
		t.Errorf("after the replays: %s, want pending", got)
	}
}
