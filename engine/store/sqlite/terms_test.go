package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// TestTermsColumnMigration upgrades a database whose terms are in
// execution_terms alone (before migration 0007): history shows them from
// the executions' rows, finds executions by them, and Prune deletes an
// execution's terms with it.
func TestTermsColumnMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	old := time.Now().Add(-48 * time.Hour)
	ended := old.UnixNano()
	id1, id2 := store.IDAt(old), store.IDAt(time.Now())
	databaseAt(t, path, 5, // through 0006_terms
		`INSERT INTO executions (id, flow, status, received_at, ended_at) VALUES ('`+id1+`', 'f', 'succeeded', 1, `+itoa(ended)+`)`,
		`INSERT INTO executions (id, flow, status, received_at) VALUES ('`+id2+`', 'f', 'pending', 2)`,
		`INSERT INTO execution_terms (term, execution_id) VALUES ('jane.doe@example.com', '`+id1+`')`,
		`INSERT INTO execution_terms (term, execution_id) VALUES ('00u1', '`+id1+`')`,
		`INSERT INTO execution_terms (term, execution_id) VALUES ('inc0010001', '`+id2+`')`,
	)
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ex, err := s.Execution(ctx, id1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"00u1", "jane.doe@example.com"}; !slices.Equal(ex.Terms, want) {
		t.Errorf("terms = %q, want %q", ex.Terms, want)
	}
	found := func(text string) []string {
		t.Helper()
		exs, err := s.Executions(ctx, store.Filter{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range exs {
			ids = append(ids, e.ID)
		}
		return ids
	}
	if got := found("jane"); !slices.Equal(got, []string{id1}) {
		t.Errorf("search jane = %v, want [%s]", got, id1)
	}
	n, err := s.Prune(ctx, store.Prune{Before: time.Now().Add(-time.Hour)})
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v, want 1", n, err)
	}
	if got := found("jane"); len(got) != 0 {
		t.Errorf("search jane after prune = %v, want none", got)
	}
	var left int
	if err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM execution_terms`).Scan(&left); err != nil || left != 1 {
		t.Errorf("terms left = %d, %v, want the pending execution's one", left, err)
	}
	if got := found("inc001"); !slices.Equal(got, []string{id2}) {
		t.Errorf("search inc001 = %v, want [%s]", got, id2)
	}
}

// TestTermsShownInOrder enqueues an execution with terms out of order and
// repeated: history shows each once, in order, as before migration 0007.
func TestTermsShownInOrder(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "t.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Enqueue(ctx, []store.Event{{Flow: "f", Terms: []string{"zed", "amy", "zed", "bob"}}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := s.Execution(ctx, res[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"amy", "bob", "zed"}; !slices.Equal(ex.Terms, want) {
		t.Errorf("terms = %q, want %q", ex.Terms, want)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
