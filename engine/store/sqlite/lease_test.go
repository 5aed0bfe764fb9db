package sqlite_test

import (
	"context"
	"path/filepath"
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
	if got, err := b.Claim(ctx, "b", 1, time.Minute); err != nil || len(got) != 0 {
		t.Fatalf("b.Claim of an empty inbox = %v, %v", got, err)
	}
	res, err := a.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{}`)}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if got, err := a.Claim(ctx, "a", 1, 50*time.Millisecond); err != nil || len(got) != 1 {
		t.Fatalf("a.Claim = %v, %v", got, err)
	}
	// a stops renewing; b claims until it gets the execution.
	for {
		got, err := b.Claim(ctx, "b", 1, time.Minute)
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
