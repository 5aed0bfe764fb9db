package sqlite_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// TestLeaseEndedByAnotherStore: claims look for ended leases only now and
// then (at the end of the leases they know of, and at least every second).
// A lease that another store on the same file granted after this one last
// looked, and that its holder let end, is still found within that second.
func TestLeaseEndedByAnotherStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cardflow.db")
	a, b := open(t, path, sqlite.Options{}), open(t, path, sqlite.Options{})
	defer a.Close()
	defer b.Close()
	ctx := context.Background()

	// b looks now, while nothing runs: its next look is a second away.
	if got, err := b.Claim(ctx, "b", 1, time.Minute, store.ClaimOptions{}); err != nil || len(got) != 0 {
		t.Fatalf("b.Claim of an empty inbox = %v, %v", got, err)
	}
	res, err := a.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if got, err := a.Claim(ctx, "a", 1, 50*time.Millisecond, store.ClaimOptions{}); err != nil || len(got) != 1 {
		t.Fatalf("a.Claim = %v, %v", got, err)
	}
	// a stops renewing; b claims until it gets the execution.
	for {
		got, err := b.Claim(ctx, "b", 1, time.Minute, store.ClaimOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 {
			if got[0].ID != res[0].ID || got[0].Claims != 2 {
				t.Fatalf("b claimed %s (claims %d), want %s's second claim", got[0].ID, got[0].Claims, res[0].ID)
			}
			if waited := time.Since(start); waited < 50*time.Millisecond {
				t.Fatalf("b claimed it %v after a did, before a's lease ended", waited)
			}
			return
		}
		if waited := time.Since(start); waited > 3*time.Second {
			t.Fatalf("b has not found a's ended lease after %v", waited)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestAppendAfterAnotherStoreAppended: a store numbers the journal of an
// execution it claimed fresh without looking the numbers up; when another
// store appended to it meanwhile (it claimed the execution after this
// store's lease ended), the next append still lands after those entries.
func TestAppendAfterAnotherStoreAppended(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cardflow.db")
	a, b := open(t, path, sqlite.Options{}), open(t, path, sqlite.Options{})
	defer a.Close()
	defer b.Close()
	ctx := context.Background()
	res, err := a.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "k"}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].ID
	if got, err := a.Claim(ctx, "a", 1, time.Minute, store.ClaimOptions{}); err != nil || len(got) != 1 {
		t.Fatalf("a.Claim = %v, %v", got, err)
	}
	entry := func(card string) store.JournalEntry {
		return store.JournalEntry{ExecutionID: id, Card: card, Attempt: 1, Status: store.EntryOK}
	}
	for _, step := range []struct {
		s    *sqlite.Store
		card string
	}{{a, "first"}, {b, "second"}, {b, "third"}, {a, "fourth"}, {a, "fifth"}} {
		if err := step.s.Append(ctx, entry(step.card)); err != nil {
			t.Fatalf("Append %s: %v", step.card, err)
		}
	}
	if err := a.Finish(ctx, id, store.Succeeded, nil, "", entry("last")); err != nil {
		t.Fatal(err)
	}
	j, err := a.Journal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var cards []string
	for i, e := range j {
		cards = append(cards, e.Card)
		if e.Seq != i+1 {
			t.Errorf("entry %s has Seq %d, want %d", e.Card, e.Seq, i+1)
		}
	}
	if want := []string{"first", "second", "third", "fourth", "fifth", "last"}; !slices.Equal(cards, want) {
		t.Errorf("journal = %q, want %q", cards, want)
	}
}
