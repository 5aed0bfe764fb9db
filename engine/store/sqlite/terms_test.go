package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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
		return foundIDs(t, s, store.Filter{Text: text})
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
	s := openTemp(t)
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

// queued is, for countRows, the executions whose terms the indexer has
// yet to index.
const queued = `executions WHERE num > (SELECT num FROM terms_cursor)`

// foundIDs returns the ids of the executions history finds by f.
func foundIDs(t *testing.T, s *Store, f store.Filter) []string {
	t.Helper()
	exs, err := s.Executions(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range exs {
		ids = append(ids, e.ID)
	}
	return ids
}

// countRows counts the rows of table, which may end in a WHERE.
func countRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	return int(queryInt(t, s, `SELECT COUNT(*) FROM `+table))
}

// queryInt returns the integer that q reads from s.
func queryInt(t *testing.T, s *Store, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := s.rdb.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTermsIndexedInBatches: an execution's terms wait past the term
// indexer's cursor until the indexer moves them into execution_terms,
// sorted; history finds it by a term prefix before and after, once, newest
// first, and pages past it with Before either way. A pruned execution
// still queued leaves nothing behind.
func TestTermsIndexedInBatches(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	s.ti.stop() // indexed below, when the test says
	var ids []string
	for i := range 5 {
		res, err := s.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: strconv.Itoa(i), Payload: []byte(`{}`),
			Terms: []string{"00u" + strconv.Itoa(i), "jane.doe" + strconv.Itoa(i) + "@example.com", "z-shared"}}}, store.EnqueueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res[0].ID)
	}
	count := func(table string) int {
		t.Helper()
		return countRows(t, s, table)
	}
	found := func(f store.Filter) []string {
		t.Helper()
		return foundIDs(t, s, f)
	}
	check := func(when string) {
		t.Helper()
		if got := found(store.Filter{Text: "Jane.Doe3"}); !slices.Equal(got, []string{ids[3]}) {
			t.Errorf("%s: search jane.doe3 = %v, want [%s]", when, got, ids[3])
		}
		if got := found(store.Filter{Text: "z-sh"}); !slices.Equal(got, []string{ids[4], ids[3], ids[2], ids[1], ids[0]}) {
			t.Errorf("%s: search z-sh = %v, want all five, newest first", when, got)
		}
		if got := found(store.Filter{Text: "z-shared", Before: ids[2]}); !slices.Equal(got, []string{ids[1], ids[0]}) {
			t.Errorf("%s: search z-shared before %s = %v, want the two older", when, ids[2], got)
		}
		if got := found(store.Filter{Text: "example.com"}); len(got) != 0 {
			t.Errorf("%s: search example.com = %v, want none (terms match by prefix)", when, got)
		}
	}
	if p, i := count(queued), count("execution_terms"); p != 5 || i != 0 {
		t.Fatalf("after enqueue: %d queued, %d indexed; want 5 and 0", p, i)
	}
	check("queued")

	n, err := s.indexTerms(ctx, 3)
	if err != nil || n != 3 {
		t.Fatalf("indexTerms(3) = %d, %v; want 3", n, err)
	}
	if p, i := count(queued), count("execution_terms"); p != 2 || i != 9 {
		t.Fatalf("after a batch of 3: %d queued, %d indexed; want 2 and 9", p, i)
	}
	check("partly indexed")
	if n, err := s.indexTerms(ctx, 10); err != nil || n != 2 {
		t.Fatalf("indexTerms(10) = %d, %v; want the 2 left", n, err)
	}
	check("indexed")

	// Queued and then pruned: the indexer takes it off the queue and
	// indexes nothing for it.
	old := time.Now().Add(-48 * time.Hour)
	res, err := s.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "old", ReceivedAt: old, Terms: []string{"gone"}}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.tx.conn.ExecContext(ctx, `UPDATE executions SET status = 'succeeded', ended_at = ?, id = ? WHERE id = ?`,
		old.UnixNano(), store.IDAt(old), res[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Prune(ctx, store.Prune{Before: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if n, err := s.indexTerms(ctx, 10); err != nil || n != 0 {
		t.Fatalf("indexTerms after prune = %d, %v; want nothing queued", n, err)
	}
	if p, i := count(queued), count("execution_terms"); p != 0 || i != 15 {
		t.Errorf("after prune: %d queued, %d indexed; want 0 and 15", p, i)
	}
}

// TestReadOnlyRefusesAnOldSchema: history on a store an older cardflow
// left (through migration 0007, before terms_pending) says to let cardflow
// run migrate it, rather than failing a search with "no such table"; once
// migrated, it reads it.
func TestReadOnlyRefusesAnOldSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	databaseAt(t, path, 6) // through 0007_terms_payloads
	if s, err := Open(path, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "older than this build reads") {
		if s != nil {
			s.Close()
		}
		t.Fatalf("ReadOnly Open of a schema at version 7: %v, want it refused as older", err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("ReadOnly Open once migrated: %v", err)
	}
	defer r.Close()
	if _, err := r.Executions(context.Background(), store.Filter{Text: "jane"}); err != nil {
		t.Errorf("search through the migrated store: %v", err)
	}
}
