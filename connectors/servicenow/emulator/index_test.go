package emulator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/connectors/servicenow/query"
)

// TestIndexedQueriesSeeEveryWrite checks that field=value queries on an
// indexed table answer as a scan would after inserts, updates that move a
// row to another value, and deletes, including rows written before the
// index was built.
func TestIndexedQueriesSeeEveryWrite(t *testing.T) {
	e := New(Options{})
	insert := func(corr string) string {
		t.Helper()
		rec, err := e.Insert("incident", "", map[string]string{"short_description": "x", "correlation_id": corr})
		if err != nil {
			t.Fatal(err)
		}
		return rec["sys_id"]
	}
	find := func(q string) []string {
		var ids []string
		for _, r := range e.Find("incident", q) {
			ids = append(ids, r["sys_id"])
		}
		slices.Sort(ids)
		return ids
	}
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }

	a := insert("u-a") // before the index exists
	if diff := cmp.Diff([]string{a}, find("correlation_id=u-a")); diff != "" {
		t.Errorf("before any write after indexing (-want +got):\n%s", diff)
	}
	b := insert("u-b")
	c := insert("u-a")
	if diff := cmp.Diff(sorted(a, c), find("correlation_id=u-a")); diff != "" {
		t.Errorf("after inserts (-want +got):\n%s", diff)
	}
	if _, err := e.Update("incident", a, "", map[string]string{"correlation_id": "u-b"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{c}, find("correlation_id=u-a")); diff != "" {
		t.Errorf("old value after an update (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sorted(a, b), find("correlation_id=u-b")); diff != "" {
		t.Errorf("new value after an update (-want +got):\n%s", diff)
	}
	if err := e.Delete("incident", b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{a}, find("correlation_id=u-b^ORDERBYsys_created_on")); diff != "" {
		t.Errorf("after a delete (-want +got):\n%s", diff)
	}
	// Terms the index cannot answer exactly still scan.
	if got := find("correlation_id=u-b^ORcorrelation_id=u-a"); len(got) != 2 {
		t.Errorf("OR term: got %d rows, want 2", len(got))
	}
	if got := find("correlation_idSTARTSWITHu-"); len(got) != 2 {
		t.Errorf("STARTSWITH: got %d rows, want 2", len(got))
	}
}

// TestIndexedQueriesMatchAScan runs random inserts, updates and deletes of
// incidents and checks after each that every query the index may answer,
// and some it must not, finds exactly the rows a scan of the table with
// the same query matches.
func TestIndexedQueriesMatchAScan(t *testing.T) {
	e := New(Options{})
	rnd := rand.New(rand.NewPCG(1, 2))
	values := []string{"u-a", "u-b", "U-A", "", "7", "007", "x y"}
	queries := []string{"short_description=s1^ORDERBYsys_created_on", "nonexistent=u-a", "correlation_id=7",
		"correlation_id=u-a^nonexistent=zz", "correlation_idINu-a,u-b", "correlation_id!=u-a", "correlation_id=u-a^NQcorrelation_id=u-b",
		"caller_id.user_name=svc", "correlation_id=u-a^short_description=s1", "short_description=s1^correlation_id=u-b"}
	for _, v := range values {
		queries = append(queries, "correlation_id="+v, "correlation_id="+v+"^ORDERBYDESCsys_created_on")
	}
	var ids []string
	for step := range 120 {
		ids = randomWrite(t, e, rnd, ids, "", map[string]string{"correlation_id": values[rnd.IntN(len(values))],
			"short_description": fmt.Sprint("s", rnd.IntN(3))})
		for _, q := range queries {
			var got []string
			for _, r := range e.Find("incident", q) {
				got = append(got, r["sys_id"])
			}
			slices.Sort(got)
			if diff := cmp.Diff(scan(t, e, q), got); diff != "" {
				t.Fatalf("step %d, %s (-scan +found):\n%s", step, q, diff)
			}
		}
	}
}

// scan returns the sorted sys_ids of the incidents q matches, testing every
// row.
func scan(t *testing.T, e *Emulator, encoded string) []string {
	t.Helper()
	q, err := query.Parse(encoded)
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var ids []string
	for id, r := range e.tables["incident"].rows {
		view := e.tables["incident"].full(r) // every column, as the platform has it
		for _, f := range q.Fields() {
			if strings.Contains(f, ".") {
				if _, _, v, ok := e.dotWalkLocked(e.tables["incident"], r, f); ok {
					view[f] = v
				}
			}
		}
		if q.Match(view, query.MatchOptions{}) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestIDSetHoldsEachIDOnce: an id added again, or moved away from a value
// and back, is listed once.
func TestIDSetHoldsEachIDOnce(t *testing.T) {
	var s idSet
	for _, id := range []string{"a", "a", "b", "a", "c", "b", "c"} {
		s = s.add(id)
	}
	var got []string
	s.each(func(id string) { got = append(got, id) })
	slices.Sort(got)
	if diff := cmp.Diff([]string{"a", "b", "c"}, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	var empty idSet
	empty.each(func(id string) { t.Errorf("an empty set listed %q", id) })
}

// randomWrite inserts an incident with fields as asUser or, once there are
// some, as likely updates one of ids with them or deletes one; it returns
// ids as they are after.
func randomWrite(t *testing.T, e *Emulator, rnd *rand.Rand, ids []string, asUser string, fields map[string]string) []string {
	t.Helper()
	switch op := rnd.IntN(10); {
	case op < 5 || len(ids) == 0:
		rec, err := e.Insert("incident", asUser, fields)
		if err != nil {
			t.Fatal(err)
		}
		return append(ids, rec["sys_id"])
	case op < 8:
		if _, err := e.Update("incident", ids[rnd.IntN(len(ids))], "", fields); err != nil {
			t.Fatal(err)
		}
		return ids
	default:
		i := rnd.IntN(len(ids))
		if err := e.Delete("incident", ids[i]); err != nil {
			t.Fatal(err)
		}
		return slices.Delete(ids, i, i+1)
	}
}
