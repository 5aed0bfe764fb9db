package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/engine/store"
)

var journalTests = []test{
	{"Pin", testPin},
	{"AppendRoundTrip", testAppendRoundTrip},
	{"AppendSeqPerExecution", testAppendSeqPerExecution},
	{"AppendConcurrent", testAppendConcurrent},
	{"AppendUnknownExecution", testAppendUnknownExecution},
	{"Finish", testFinish},
	{"FinishWithEntries", testFinishWithEntries},
	{"FinishRefusedWritesNothing", testFinishRefusedWritesNothing},
	{"EntryTableWrites", testEntryTableWrites},
	{"EntryTableWritesAllOrNothing", testEntryTableWritesAllOrNothing},
	{"Reopen", testReopen},
}

func testPin(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	if err := s.Pin(ctx(t), id, "sha256:def"); err != nil {
		t.Fatal(err)
	}
	if got := mustExecution(t, s, id).DefinitionHash; got != "sha256:def" {
		t.Errorf("DefinitionHash after Pin = %q, want sha256:def", got)
	}
	wantErrIs(t, "Pin(unknown id)", s.Pin(ctx(t), "ex_missing", "h"), store.ErrNotFound)
}

// entry returns a journal entry with every field set.
func entry(id, card string, attempt int) store.JournalEntry {
	start := time.Date(2026, 11, 28, 9, 0, attempt, 250_000_000, time.UTC)
	return store.JournalEntry{
		ExecutionID: id,
		Card:        card,
		Key:         "k-" + card,
		Attempt:     attempt,
		Status:      store.EntryError,
		Input:       []byte(`{"user":"00u1","token":"(sensitive)"}`),
		Output:      []byte{0, 1, 2, 0xfe, 0xff, '"'},
		Error:       "okta: 429 Too Many Requests",
		ErrorKind:   "transient",
		StartedAt:   start,
		EndedAt:     start.Add(1234 * time.Millisecond),
	}
}

func testAppendRoundTrip(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	if j, err := s.Journal(ctx(t), id); err != nil || len(j) != 0 {
		t.Fatalf("Journal of a fresh execution = %v, %v, want empty", j, err)
	}
	want := []store.JournalEntry{entry(id, "read_user", 1), entry(id, "read_user", 2), entry(id, "incident", 1)}
	want[1].Status, want[1].Error, want[1].ErrorKind = store.EntryOK, "", ""
	want[2].Status, want[2].Input, want[2].Output = store.EntrySkipped, nil, nil
	if err := s.Append(ctx(t), want[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx(t), want[1:]...); err != nil {
		t.Fatal(err)
	}
	wantJournal(t, s, id, want)
	_, err := s.Journal(ctx(t), "ex_missing")
	wantErrIs(t, "Journal(unknown id)", err, store.ErrNotFound)
}

func testAppendSeqPerExecution(t *testing.T, s store.Store) {
	ids := mustEnqueue(t, s, event("a", "1"), event("a", "2"))
	// Interleaved, and in one call for both executions.
	if err := s.Append(ctx(t), entry(ids[0], "c1", 1), entry(ids[1], "c1", 1), entry(ids[0], "c2", 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx(t), entry(ids[1], "c2", 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(ctx(t)); err != nil {
		t.Errorf("Append of nothing: %v", err)
	}
	for _, id := range ids {
		j, err := s.Journal(ctx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range j {
			got = append(got, fmt.Sprintf("%d:%s", e.Seq, e.Card))
		}
		if diff := cmp.Diff([]string{"1:c1", "2:c2"}, got); diff != "" {
			t.Errorf("journal of %s (-want +got):\n%s", id, diff)
		}
	}
}

func testAppendConcurrent(t *testing.T, s store.Store) {
	const writers, each = 4, 25
	id := mustEnqueue(t, s, event("a", "k"))[0]
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := s.Append(ctx(t), entry(id, fmt.Sprintf("w%d", w), i+1)); err != nil {
					t.Errorf("Append: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	j, err := s.Journal(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(j) != writers*each {
		t.Fatalf("journal has %d entries, want %d", len(j), writers*each)
	}
	last := make(map[string]int) // writer -> last attempt seen
	for i, e := range j {
		if e.Seq != i+1 {
			t.Fatalf("entry %d has Seq %d, want %d", i, e.Seq, i+1)
		}
		if e.Attempt != last[e.Card]+1 {
			t.Errorf("writer %s: attempt %d follows %d; one writer's appends must keep their order", e.Card, e.Attempt, last[e.Card])
		}
		last[e.Card] = e.Attempt
	}
}

func testAppendUnknownExecution(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	err := s.Append(ctx(t), entry(id, "c1", 1), entry("ex_missing", "c1", 1))
	wantErrIs(t, "Append to an unknown execution", err, store.ErrNotFound)
	if j, _ := s.Journal(ctx(t), id); len(j) != 0 {
		t.Errorf("failed Append left %d entries behind; Append is all or nothing", len(j))
	}
	if err := s.Append(ctx(t), entry(id, "c1", 1)); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.Journal(ctx(t), id); len(j) != 1 || j[0].Seq != 1 {
		t.Errorf("journal after a failed and a good Append = %+v, want one entry with Seq 1", j)
	}
}

func testFinish(t *testing.T, s store.Store) {
	ids := mustEnqueue(t, s, events("a", "f", 2)...)
	mustClaim(t, s, "w1", 2, time.Minute)
	before := time.Now()
	if err := s.Finish(ctx(t), ids[0], store.Failed, []byte(`{"out":1}`), "card incident: 500"); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	e := mustExecution(t, s, ids[0])
	if e.Status != store.Failed || string(e.Output) != `{"out":1}` || e.Error != "card incident: 500" {
		t.Errorf("finished = {Status:%s Output:%s Error:%q}", e.Status, e.Output, e.Error)
	}
	if e.Owner != "" || !e.LeaseUntil.IsZero() {
		t.Errorf("finished execution still claimed: Owner %q, LeaseUntil %v", e.Owner, e.LeaseUntil)
	}
	if !within(e.EndedAt, before, after) {
		t.Errorf("EndedAt = %v, want about %v", e.EndedAt, before)
	}
	if e.Claims != 1 || e.StartedAt.IsZero() {
		t.Errorf("Finish changed the claim history: Claims %d, StartedAt %v", e.Claims, e.StartedAt)
	}
	for _, st := range []store.Status{store.Succeeded, store.Halted, store.Filtered} {
		if err := s.Finish(ctx(t), ids[1], st, nil, ""); err != nil {
			t.Errorf("Finish(%s): %v", st, err)
		}
		if got := mustExecution(t, s, ids[1]).Status; got != st {
			t.Errorf("Status after Finish(%s) = %s", st, got)
		}
	}
	for _, st := range []store.Status{store.Pending, store.Running, ""} {
		if err := s.Finish(ctx(t), ids[1], st, nil, ""); err == nil {
			t.Errorf("Finish with live status %q succeeded", st)
		}
	}
	wantErrIs(t, "Finish(unknown id)", s.Finish(ctx(t), "ex_missing", store.Succeeded, nil, ""), store.ErrNotFound)
	time.Sleep(2 * shortLease)
	if got := mustClaim(t, s, "w2", 10, shortLease); len(got) != 0 {
		t.Errorf("finished executions were claimed: %v", idsOf(got))
	}
}

// testFinishWithEntries: the entries Finish carries are journaled after
// those appended before, as Append would number them, with the outcome.
func testFinishWithEntries(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	mustClaim(t, s, "w1", 1, time.Minute)
	want := []store.JournalEntry{entry(id, "read_user", 1), entry(id, "compose", 1), entry(id, "skip", 1)}
	want[2].Status, want[2].Input, want[2].Output = store.EntrySkipped, nil, nil
	if err := s.Append(ctx(t), want[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(ctx(t), id, store.Succeeded, []byte(`{"ok":true}`), "", want[1:]...); err != nil {
		t.Fatal(err)
	}
	wantJournal(t, s, id, want)
	e := mustExecution(t, s, id)
	if e.Status != store.Succeeded || string(e.Output) != `{"ok":true}` || e.Owner != "" {
		t.Errorf("finished = {Status:%s Output:%s Owner:%q}, want succeeded, {\"ok\":true}, unclaimed", e.Status, e.Output, e.Owner)
	}
}

// testFinishRefusedWritesNothing: a Finish the store refuses (an unknown
// execution, a live status, an entry of another execution) writes neither
// its entries nor the outcome. That a failure inside the write rolls back
// both is EntryTableWritesAllOrNothing's.
func testFinishRefusedWritesNothing(t *testing.T, s store.Store) {
	ids := mustEnqueue(t, s, events("a", "k", 2)...)
	mustClaim(t, s, "w1", 2, time.Minute)
	err := s.Finish(ctx(t), "ex_missing", store.Succeeded, nil, "", entry("ex_missing", "c1", 1))
	wantErrIs(t, "Finish(unknown id) with entries", err, store.ErrNotFound)
	if err := s.Finish(ctx(t), ids[0], store.Running, nil, "", entry(ids[0], "c1", 1)); err == nil {
		t.Error("Finish with a live status and entries succeeded")
	}
	if err := s.Finish(ctx(t), ids[0], store.Succeeded, nil, "", entry(ids[0], "c1", 1), entry(ids[1], "c1", 1)); err == nil {
		t.Error("Finish with an entry of another execution succeeded")
	}
	for _, id := range ids {
		if j, _ := s.Journal(ctx(t), id); len(j) != 0 {
			t.Errorf("failed Finish calls left %d entries in %s's journal", len(j), id)
		}
		if e := mustExecution(t, s, id); e.Status != store.Running {
			t.Errorf("failed Finish calls left %s %s, want running", id, e.Status)
		}
	}
}

func testReopen(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	mustClaim(t, s, "w1", 1, time.Minute)
	if err := s.Append(ctx(t), entry(id, "c1", 1)); err != nil {
		t.Fatal(err)
	}
	wantErrIs(t, "Reopen(running)", s.Reopen(ctx(t), id), store.ErrNotFinished)
	if err := s.Finish(ctx(t), id, store.Failed, []byte(`{}`), "boom"); err != nil {
		t.Fatal(err)
	}
	if err := s.Reopen(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	e := mustExecution(t, s, id)
	if e.Status != store.Pending || !e.EndedAt.IsZero() || e.Error != "" || e.Owner != "" {
		t.Errorf("reopened = {Status:%s EndedAt:%v Error:%q Owner:%q}, want pending, not ended, no error",
			e.Status, e.EndedAt, e.Error, e.Owner)
	}
	if j, _ := s.Journal(ctx(t), id); len(j) != 1 {
		t.Errorf("Reopen dropped the journal: %d entries, want 1", len(j))
	}
	// A second replay that read the execution as failed before the first
	// reopened it: refused as not finished, which the API answers 409.
	wantErrIs(t, "Reopen(reopened)", s.Reopen(ctx(t), id), store.ErrNotFinished)
	got := mustClaim(t, s, "w2", 1, time.Minute)
	if len(got) != 1 || got[0].ID != id || got[0].Claims != 2 {
		t.Errorf("Claim after Reopen = %+v, want %s with Claims 2", got, id)
	}
	wantErrIs(t, "Reopen(unknown id)", s.Reopen(ctx(t), "ex_missing"), store.ErrNotFound)
}

// tableRow returns a table row, or nil when it does not exist.
func tableRow(t *testing.T, s store.Store, table, key string) []byte {
	t.Helper()
	row, err := s.TableGet(ctx(t), table, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		t.Fatalf("TableGet(%s, %s): %v", table, key, err)
	}
	return row
}

// testEntryTableWrites: the table writes an entry carries are applied with
// it, by Append and by Finish, and the journal does not keep them.
func testEntryTableWrites(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	mustClaim(t, s, "w1", 1, time.Minute)
	if err := s.TablePut(ctx(t), "approvals", "gone", []byte(`{"n":0}`)); err != nil {
		t.Fatal(err)
	}
	put := entry(id, "remember", 1)
	put.Tables = []store.TableWrite{
		{Table: "approvals", Key: "00u1", Row: []byte(`{"n":1}`)},
		{Table: "approvals", Key: "gone"}, // a nil row deletes
	}
	if err := s.Append(ctx(t), put); err != nil {
		t.Fatal(err)
	}
	if got := string(tableRow(t, s, "approvals", "00u1")); got != `{"n":1}` {
		t.Errorf("row after Append = %q, want {\"n\":1}", got)
	}
	if got := tableRow(t, s, "approvals", "gone"); got != nil {
		t.Errorf("deleted row after Append = %q, want none", got)
	}
	last := entry(id, "forget", 1)
	last.Tables = []store.TableWrite{{Table: "approvals", Key: "00u1", Row: []byte(`{"n":2}`)}}
	if err := s.Finish(ctx(t), id, store.Succeeded, nil, "", last); err != nil {
		t.Fatal(err)
	}
	if got := string(tableRow(t, s, "approvals", "00u1")); got != `{"n":2}` {
		t.Errorf("row after Finish = %q, want {\"n\":2}", got)
	}
	j, err := s.Journal(ctx(t), id)
	if err != nil || len(j) != 2 {
		t.Fatalf("Journal = %d entries, %v, want 2", len(j), err)
	}
	for _, e := range j {
		if e.Tables != nil {
			t.Errorf("journal entry %s kept its table writes: %v", e.Card, e.Tables)
		}
	}
}

// testEntryTableWritesAllOrNothing: a failed Append or Finish applies none
// of the table writes its entries carry.
func testEntryTableWritesAllOrNothing(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	mustClaim(t, s, "w1", 1, time.Minute)
	good := entry(id, "remember", 1)
	good.Tables = []store.TableWrite{{Table: "approvals", Key: "a", Row: []byte(`{}`)}}
	bad := entry("ex_missing", "remember", 1)
	bad.Tables = []store.TableWrite{{Table: "approvals", Key: "b", Row: []byte(`{}`)}}
	wantErrIs(t, "Append with an unknown execution", s.Append(ctx(t), good, bad), store.ErrNotFound)
	wantErrIs(t, "Finish(unknown id)", s.Finish(ctx(t), "ex_missing", store.Succeeded, nil, "", bad), store.ErrNotFound)
	for _, key := range []string{"a", "b"} {
		if got := tableRow(t, s, "approvals", key); got != nil {
			t.Errorf("a failed write left row %s = %q", key, got)
		}
	}
}

// wantJournal checks that execution id's journal is want, in order, each
// entry numbered by its place.
func wantJournal(t *testing.T, s store.Store, id string, want []store.JournalEntry) {
	t.Helper()
	for i := range want {
		want[i].Seq = i + 1
	}
	got, err := s.Journal(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpOpts); diff != "" {
		t.Errorf("Journal (-written +read):\n%s", diff)
	}
}
