//go:build unix

package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// TestExclusiveOneProcess: a second exclusive open fails with a clear
// error while the first holds the store; readers open it anyway; the lock
// goes with Close.
func TestExclusiveOneProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cardflow.db")
	first, err := sqlite.Open(path, sqlite.Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(path, sqlite.Options{Exclusive: true}); err == nil || !strings.Contains(err.Error(), "in use by another cardflow run") {
		t.Fatalf("second exclusive Open: %v, want in use", err)
	}
	reader, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatalf("a reader cannot open an exclusive store: %v", err)
	}
	reader.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := sqlite.Open(path, sqlite.Options{Exclusive: true})
	if err != nil {
		t.Fatalf("exclusive Open after Close: %v", err)
	}
	again.Close()
}

// TestExclusiveTakesOverADeadProcess: what a process that died left
// running, and the poller lease it held, are taken over at once, not
// after their leases run out.
func TestExclusiveTakesOverADeadProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cardflow.db")
	dead, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dead.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "k", Payload: []byte(`{}`), ReceivedAt: time.Now()}}, store.EnqueueOptions{}); err != nil {
		t.Fatal(err)
	}
	if exs, err := dead.Claim(ctx, "dead", 1, time.Hour, store.ClaimOptions{}); err != nil || len(exs) != 1 {
		t.Fatalf("claim: %v, %v", exs, err)
	}
	if ok, err := dead.AcquireLease(ctx, "poller", "dead", time.Hour); err != nil || !ok {
		t.Fatalf("lease: %v, %v", ok, err)
	}
	dead.Close() // as good as dead: its leases run for an hour

	// Without the lock nothing may be taken over: the owner may be alive.
	shared, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if exs, err := shared.Claim(ctx, "other", 1, time.Minute, store.ClaimOptions{}); err != nil || len(exs) != 0 {
		t.Fatalf("a non-exclusive store claimed a live lease: %v, %v", exs, err)
	}
	shared.Close()

	st, err := sqlite.Open(path, sqlite.Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	exs, err := st.Claim(ctx, "restarted", 1, time.Minute, store.ClaimOptions{})
	if err != nil || len(exs) != 1 {
		t.Fatalf("after the take-over Claim = %v, %v, want the dead process's execution", exs, err)
	}
	if exs[0].Claims != 2 {
		t.Errorf("Claims = %d, want 2", exs[0].Claims)
	}
	if ok, err := st.AcquireLease(ctx, "poller", "restarted", time.Minute); err != nil || !ok {
		t.Errorf("poller lease after the take-over = %v, %v, want taken", ok, err)
	}
}

// TestExclusiveOtherErrorsSayWhat: a lock file that cannot be made is not
// "in use by another cardflow run".
func TestExclusiveOtherErrorsSayWhat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "cardflow.db")
	_, err := sqlite.Open(path, sqlite.Options{Exclusive: true})
	if err == nil {
		t.Fatal("Open in a missing directory succeeded")
	}
	if strings.Contains(err.Error(), "in use") {
		t.Errorf("error = %v, blames another process", err)
	}
}
