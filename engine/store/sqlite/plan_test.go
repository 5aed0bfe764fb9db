package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/store"
)

// TestQueryPlans keeps the hot statements on their indexes: a full scan or
// a temporary b-tree in any of them costs every execution.
// rowidSearch is how a plan says it finds executions by their rowid (num).
const rowidSearch = "SEARCH executions USING INTEGER PRIMARY KEY"

func TestQueryPlans(t *testing.T) {
	s := openTemp(t)
	type query struct{ sql, index string } // index: one the plan must use, if any
	var hot []query
	for _, id := range []writeStmt{wInsertExecution, wInsertClaimed, wDedupLookup, wClaim, wRenew, wPin, wAppend, wFinish, wCancel, wWake} {
		hot = append(hot, query{writeSQL[id], ""})
	}
	hot = append(hot, query{readSQL[rDepth], "executions_live"})
	for _, id := range []writeStmt{wClaimable, wClaimExpired, wNextLeaseEnd} {
		hot = append(hot, query{writeSQL[id], "executions_live"})
	}
	// History by status reads the partial index that holds the status.
	for st, index := range map[store.Status]string{
		store.Pending: "executions_live", store.Running: "executions_live",
		store.Succeeded: "executions_ended", store.Failed: "executions_ended", store.Filtered: "executions_ended",
		store.Canceled: "executions_ended",
	} {
		q, _ := executionsQuery(store.Filter{Status: st})
		hot = append(hot, query{q, index})
	}
	// Pruning walks the ended executions by status and id, never them all.
	for _, id := range []writeStmt{wPrune, wPruneFailed} {
		hot = append(hot, query{writeSQL[id], "executions_ended"})
	}
	// By number: the row, without the ids' index.
	for _, id := range []writeStmt{wFinishNum, wTermsPending} {
		hot = append(hot, query{writeSQL[id], rowidSearch})
	}
	for _, q := range hot {
		text := queryPlan(t, s, q.sql)
		t.Logf("%.60s…: %s", strings.Join(strings.Fields(q.sql), " "), text)
		for _, bad := range []string{"SCAN executions", "SCAN journal", "TEMP B-TREE"} {
			if strings.Contains(text, bad) {
				t.Errorf("plan of %q has %s: %s", q.sql, bad, text)
			}
		}
		want := "INDEX " + q.index + " "
		if q.index == rowidSearch {
			want = rowidSearch
		}
		if q.index != "" && !strings.Contains(text, want) {
			t.Errorf("plan of %q does not use %s: %s", q.sql, q.index, text)
		}
	}
}

// queryPlan returns what EXPLAIN QUERY PLAN says of q, one step after the
// other.
func queryPlan(t *testing.T, s *Store, q string) string {
	t.Helper()
	var plan []string
	err := s.w.do(context.Background(), func(tx *writeTx) error {
		rows, err := tx.conn.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, planArgs(q)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				return err
			}
			plan = append(plan, detail)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return strings.Join(plan, "; ")
}

// planArgs returns a NULL for each parameter of q, numbered (?N) or not.
func planArgs(q string) []any {
	n := strings.Count(q, "?")
	for i := 1; strings.Contains(q, fmt.Sprintf("?%d", i)); i++ {
		n = i
	}
	return make([]any, n)
}

// TestWritesBuildNoTemporaryTable: the statements that write an execution's
// row evaluate the partial indexes' conditions as they go, without a
// temporary b-tree per call (as status IN (…) made SQLite build before
// migration 0010).
func TestWritesBuildNoTemporaryTable(t *testing.T) {
	s := openTemp(t)
	for _, id := range []writeStmt{wInsertExecution, wInsertClaimed, wClaim, wRenew, wRelease, wPark, wFinish, wFinishNum, wReopen} {
		q := writeSQL[id]
		var ops []string
		err := s.w.do(context.Background(), func(tx *writeTx) error {
			rows, err := tx.conn.QueryContext(context.Background(), "EXPLAIN "+q, planArgs(q)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			for i := range vals {
				vals[i] = new(any)
			}
			for rows.Next() {
				if err := rows.Scan(vals...); err != nil {
					return err
				}
				ops = append(ops, fmt.Sprint(*vals[1].(*any)))
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if len(ops) == 0 {
			t.Fatalf("EXPLAIN %.60s: no program", q)
		}
		if slices.Contains(ops, "OpenEphemeral") {
			t.Errorf("%.80s… opens a temporary b-tree on every call", strings.Join(strings.Fields(q), " "))
		}
	}
}
