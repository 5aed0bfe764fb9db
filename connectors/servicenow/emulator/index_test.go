package emulator

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
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
