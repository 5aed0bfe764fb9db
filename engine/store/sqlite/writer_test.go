package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// TestGroupCommitIsolatesFailures runs good and failing writes together so
// that they share batches: a write that fails half-way (its first entry
// appended, its second refused) must leave nothing behind, and must not
// fail or undo the writes batched with it. Appends to an execution this
// store claimed take their seqs from its cache, which the rollbacks must
// not leave counting entries that were undone.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	t.Run("enqueued", func(t *testing.T) { testGroupCommitIsolatesFailures(t, false) })
	t.Run("claimed", func(t *testing.T) { testGroupCommitIsolatesFailures(t, true) })
}

func testGroupCommitIsolatesFailures(t *testing.T, claim bool) {
	s := openTemp(t)
	ctx := context.Background()
	res, err := s.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "k"}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].ID
	if claim {
		if got, err := s.Claim(ctx, "w", 1, time.Minute, store.ClaimOptions{}); err != nil || len(got) != 1 {
			t.Fatalf("Claim = %v, %v", got, err)
		}
	}
	// Hold the writer until every write is queued, so that they all
	// land in one batch.
	const writers = 64
	started, gate := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = s.w.do(ctx, func(*writeTx) error { close(started); <-gate; return nil })
	})
	<-started
	for i := range writers {
		wg.Go(func() {
			good := store.JournalEntry{ExecutionID: id, Card: fmt.Sprint(i), Attempt: 1, Status: store.EntryOK}
			if i%2 == 0 {
				if err := s.Append(ctx, good); err != nil {
					t.Errorf("good Append %d: %v", i, err)
				}
				return
			}
			bad := good
			bad.ExecutionID = "ex_missing"
			if err := s.Append(ctx, good, bad); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Append %d with an unknown execution: error %v, want ErrNotFound", i, err)
			}
		})
	}
	for s.w.q.Pending() < writers {
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	j, err := s.Journal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(j) != writers/2 {
		t.Errorf("journal has %d entries, want %d: a failed Append left entries or a good one was lost", len(j), writers/2)
	}
	for i, e := range j {
		var n int
		fmt.Sscan(e.Card, &n)
		if n%2 != 0 {
			t.Errorf("entry %d comes from failed Append %d", i, n)
		}
		if e.Seq != i+1 {
			t.Errorf("entry %d has Seq %d, want %d", i, e.Seq, i+1)
		}
	}
	if s.w.splits.Load() == 0 {
		t.Error("no batch had to be split: the test did not batch a failing write with others")
	}
}
