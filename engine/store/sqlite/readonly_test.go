package sqlite_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// TestReadOnlyNeedsAnExistingStore: a reader given a path where there is no
// store fails and leaves nothing behind (a typo in --db must not create a
// store); on an existing store it reads and refuses writes.
func TestReadOnlyNeedsAnExistingStore(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "cardfow.db")
	if _, err := sqlite.Open(missing, sqlite.Options{ReadOnly: true}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadOnly Open of a missing file: %v, want fs.ErrNotExist", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("ReadOnly Open created %v", entries)
	}

	ctx := context.Background()
	path := filepath.Join(dir, "cardflow.db")
	w, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "1", Payload: []byte(`{}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := sqlite.Open(path, sqlite.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if ex, err := r.Execution(ctx, res[0].ID); err != nil || ex.Flow != "f" {
		t.Errorf("read through a ReadOnly store: %+v, %v", ex, err)
	}
	if _, err := r.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "2"}}, store.EnqueueOptions{}); !errors.Is(err, sqlite.ErrReadOnly) {
		t.Errorf("write through a ReadOnly store: %v, want ErrReadOnly", err)
	}
}
