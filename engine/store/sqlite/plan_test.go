package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestQueryPlans keeps the hot statements on their indexes: a full scan or
// a temporary b-tree in any of them costs every execution.
func TestQueryPlans(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "plan.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hot := []writeStmt{wInsertExecution, wDedupLookup, wClaimable, wClaim, wRenew,
		wPin, wAppend, wFinish}
	for _, id := range hot {
		q := writeSQL[id]
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
		text := strings.Join(plan, "; ")
		t.Logf("%.60s…: %s", strings.Join(strings.Fields(q), " "), text)
		for _, bad := range []string{"SCAN executions", "SCAN journal", "TEMP B-TREE"} {
			if strings.Contains(text, bad) {
				t.Errorf("plan of %q has %s: %s", q, bad, text)
			}
		}
	}
}

// planArgs returns a NULL for each parameter of q, numbered (?N) or not.
func planArgs(q string) []any {
	n := strings.Count(q, "?")
	for i := 1; strings.Contains(q, fmt.Sprintf("?%d", i)); i++ {
		n = i
	}
	return make([]any, n)
}
