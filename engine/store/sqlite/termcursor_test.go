package sqlite

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// numOf returns the number of execution id.
func numOf(t *testing.T, s *Store, id string) int64 {
	t.Helper()
	return queryInt(t, s, `SELECT num FROM executions WHERE id = ?`, id)
}

// TestTermsCursorAfterPruningTheNewest: the term indexer's cursor has
// passed the newest execution when Prune deletes it; SQLite gives its
// number to the next execution, whose terms must still be indexed, not
// taken for indexed already.
func TestTermsCursorAfterPruningTheNewest(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	s.ti.stop() // indexed below, when the test says
	old := time.Now().Add(-48 * time.Hour)
	res, err := s.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "old", Terms: []string{"gone"}}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	oldNum := numOf(t, s, res[0].ID)
	if _, err := s.w.tx.conn.ExecContext(ctx, `UPDATE executions SET status = 'succeeded', ended_at = ?, id = ? WHERE id = ?`,
		old.UnixNano(), store.IDAt(old), res[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.indexTerms(ctx, 10); err != nil || n != 1 {
		t.Fatalf("indexTerms = %d, %v; want 1", n, err)
	}
	if n, err := s.Prune(ctx, store.Prune{Before: time.Now().Add(-time.Hour)}); err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1", n, err)
	}
	res, err = s.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "new", Terms: []string{"fresh"}}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if num := numOf(t, s, res[0].ID); num != oldNum {
		t.Fatalf("the new execution is number %d, the pruned one was %d: the test no longer makes SQLite reuse it", num, oldNum)
	}
	if got := foundIDs(t, s, store.Filter{Text: "fresh"}); !slices.Equal(got, []string{res[0].ID}) {
		t.Errorf("search fresh before indexing = %v, want [%s]", got, res[0].ID)
	}
	if n, err := s.indexTerms(ctx, 10); err != nil || n != 1 {
		t.Fatalf("indexTerms after the new enqueue = %d, %v; want 1", n, err)
	}
	if got := countRows(t, s, `execution_terms WHERE term = 'fresh'`); got != 1 {
		t.Errorf("indexed fresh %d times, want once", got)
	}
	if got := foundIDs(t, s, store.Filter{Text: "fresh"}); !slices.Equal(got, []string{res[0].ID}) {
		t.Errorf("search fresh after indexing = %v, want [%s]", got, res[0].ID)
	}
	if got := foundIDs(t, s, store.Filter{Text: "gone"}); len(got) != 0 {
		t.Errorf("search gone = %v, want none", got)
	}
}

// TestTermsCursorMigration upgrades stores through migration 0009 whose
// term queue holds executions, or none: the queued executions' terms are
// found before and after the indexer runs, those indexed before stay
// indexed once, and later executions are indexed after them.
func TestTermsCursorMigration(t *testing.T) {
	for _, tc := range []struct {
		name   string
		queued bool
	}{{"queue=some", true}, {"queue=empty", false}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "m.db")
			ids := []string{store.IDAt(time.Now().Add(-3 * time.Minute)), store.IDAt(time.Now().Add(-2 * time.Minute)),
				store.IDAt(time.Now().Add(-time.Minute))}
			rows := []string{
				`INSERT INTO executions (num, id, flow, dedup_key, status, received_at, ended_at, terms)
					VALUES (1, '` + ids[0] + `', 'f', 'd1', 'succeeded', 1, 2, 'jane.doe@example.com')`,
				`INSERT INTO execution_terms (term, execution_num) VALUES ('jane.doe@example.com', 1)`,
				`INSERT INTO executions (num, id, flow, dedup_key, status, received_at) VALUES (2, '` + ids[1] + `', 'f', 'd2', 'pending', 2)`,
				`INSERT INTO executions (num, id, flow, dedup_key, status, received_at, terms)
					VALUES (3, '` + ids[2] + `', 'f', 'd3', 'pending', 3, 'inc0010003` + "\n" + `zed')`,
			}
			if tc.queued {
				rows = append(rows, `INSERT INTO terms_pending (execution_num) VALUES (3)`)
			} else {
				rows = append(rows, `INSERT INTO execution_terms (term, execution_num) VALUES ('inc0010003', 3), ('zed', 3)`)
			}
			databaseAt(t, path, 8, rows...) // through 0009_execution_num
			defer func(old time.Duration) { termIndexEvery = old }(termIndexEvery)
			termIndexEvery = time.Hour // indexed below, when the test says
			s, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var cursor int64
			if err := s.rdb.QueryRowContext(ctx, `SELECT num FROM terms_cursor`).Scan(&cursor); err != nil {
				t.Fatal(err)
			}
			want := int64(3)
			if tc.queued {
				want = 2
			}
			if cursor != want {
				t.Errorf("cursor after the migration = %d, want %d", cursor, want)
			}
			res, err := s.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "d4", Terms: []string{"zed"}}}, store.EnqueueOptions{})
			if err != nil {
				t.Fatal(err)
			}
			check := func(when string) {
				t.Helper()
				if got := foundIDs(t, s, store.Filter{Text: "jane"}); !slices.Equal(got, []string{ids[0]}) {
					t.Errorf("%s: search jane = %v, want [%s]", when, got, ids[0])
				}
				if got := foundIDs(t, s, store.Filter{Text: "inc001"}); !slices.Equal(got, []string{ids[2]}) {
					t.Errorf("%s: search inc001 = %v, want [%s]", when, got, ids[2])
				}
				if got := foundIDs(t, s, store.Filter{Text: "zed"}); !slices.Equal(got, []string{res[0].ID, ids[2]}) {
					t.Errorf("%s: search zed = %v, want [%s %s]", when, got, res[0].ID, ids[2])
				}
			}
			check("before indexing")
			n, err := s.indexTerms(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			if wantN := 4 - int(want); n != wantN {
				t.Errorf("indexTerms = %d, want %d", n, wantN)
			}
			check("after indexing")
			if got := countRows(t, s, "execution_terms"); got != 4 {
				t.Errorf("%d terms indexed, want 4, each once", got)
			}
			if got := countRows(t, s, queued); got != 0 {
				t.Errorf("%d executions left to index, want none", got)
			}
			if got := countRows(t, s, `sqlite_schema WHERE name = 'terms_pending'`); got != 0 {
				t.Errorf("terms_pending is still there")
			}
		})
	}
}
