package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// TestOpenOddPath opens a database whose path needs escaping in a URI and
// checks that it is the one file written, where it was asked for.
func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my flows #1?")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "card flow%20.db")
	s := open(t, path, sqlite.Options{})
	if _, err := s.Enqueue(t.Context(), []store.Event{{Flow: "f", DedupKey: "k"}}, store.EnqueueOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at %q: %v", path, err)
	}
	s = open(t, path, sqlite.Options{})
	defer s.Close()
	if n, err := s.Depth(t.Context()); err != nil || n != 1 {
		t.Errorf("Depth after reopening = %d, %v, want 1", n, err)
	}
}
