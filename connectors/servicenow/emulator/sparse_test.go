package emulator

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/connectors/servicenow/query"
)

// fullSelect is selectLocked as it was when every row held every column:
// Match and the sort see each row in full. Rows that leave empty columns
// out must be found, and ordered, exactly as it finds them.
func (e *Emulator) fullSelect(t *table, q *query.Query) ([]map[string]string, error) {
	q, err := q.Resolve(e.opts.TimeZone)
	if err != nil {
		return nil, err
	}
	sel := newSelection(q)
	opts := query.MatchOptions{Strict: e.opts.StrictQuery, Location: e.opts.TimeZone}
	for _, r := range t.rows {
		view := t.full(r)
		for _, f := range q.Fields() {
			if strings.Contains(f, ".") {
				if _, _, v, ok := e.dotWalkLocked(t, r, f); ok {
					view[f] = v
				}
			}
		}
		if q.Match(view, opts) {
			sel.add(r, view)
		}
	}
	return sel.sorted(), nil
}

// sparseQueries read columns that rows leave out (assigned_to, u_note
// before it is written, close_notes), columns they hold, dot-walks
// through empty and set references, SAMEAS, unknown fields and ORDERBY on
// empty columns.
var sparseQueries = []string{
	"assigned_toISEMPTY", "assigned_to=", "assigned_toISNOTEMPTY", "assigned_to!=x", "close_notesISEMPTY^ORDERBYclose_notes",
	"u_note=", "u_noteISEMPTY", "u_note=n1", "u_noteSTARTSWITHn^ORDERBYDESCu_note", "short_descriptionSAMEASu_note",
	"close_notesSAMEASassigned_to", "assigned_to.user_name=", "assigned_to.user_name=beth.anglin", "caller_id.name=^ORDERBYcaller_id.name",
	"nonexistent=", "nonexistentISEMPTY^short_description=s1", "correlation_id=", "correlation_id=c1^ORDERBYDESCassigned_to",
	"short_description=s1^NQassigned_toISEMPTY^ORDERBYu_note", "ORDERBYassigned_to^ORDERBYDESCshort_description", "",
	"sys_updated_on>2000-01-01 00:00:00^assigned_toISEMPTY^ORDERBYsys_updated_on^ORDERBYsys_id",
}

// TestRowsLeavingColumnsOutReadAsFull runs random inserts, updates (which
// set columns, and empty them again), deletes and a column added by a
// write, and checks after each step that every query finds the same rows
// in the same order as it does over the full rows, in both query modes,
// that every answer renders the bytes the full row renders, and that the
// Go API hands out full rows.
func TestRowsLeavingColumnsOutReadAsFull(t *testing.T) {
	for _, strict := range []bool{false, true} {
		t.Run(fmt.Sprint("strict=", strict), func(t *testing.T) {
			clock := newClock()
			e := New(Options{StrictQuery: strict, Now: clock.Now, Users: map[string]string{approver: "x"},
				Columns: map[string][]string{"incident": {"u_note"}}})
			beth := e.Find("sys_user", "user_name="+approver)[0]["sys_id"]
			rnd := rand.New(rand.NewPCG(3, 4))
			pick := func(vals ...string) string { return vals[rnd.IntN(len(vals))] }
			var ids []string
			for step := range 80 {
				clock.Advance(time.Duration(rnd.IntN(2)) * time.Second) // ties in sys_created_on, and not
				fields := map[string]string{"short_description": pick("s1", "s2", ""), "correlation_id": pick("c1", "c2", "")}
				if rnd.IntN(3) == 0 {
					fields["assigned_to"] = pick(beth, "", approver)
				}
				if step > 20 && rnd.IntN(3) == 0 {
					fields["u_note"] = pick("n1", "n2", "", "s1") // a declared column the rows before leave out
				}
				ids = randomWrite(t, e, rnd, ids, pick("", approver), fields)
				checkFullEquivalence(t, e, step)
			}
		})
	}
}

func checkFullEquivalence(t *testing.T, e *Emulator, step int) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	tbl := e.tables["incident"]
	for _, s := range sparseQueries {
		q, err := query.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.selectLocked(tbl, q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := e.fullSelect(tbl, q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(sysIDs(want), sysIDs(got)); diff != "" {
			t.Fatalf("step %d, %q (-full rows +stored rows):\n%s", step, s, diff)
		}
	}
	fieldSets := [][]string{nil, sortedUnique([]string{"assigned_to", "assigned_to.user_name", "u_note", "close_notes", "nope", "state"})}
	for id, r := range tbl.rows {
		full := tbl.full(r)
		if len(full) != len(tbl.schema.columns) {
			t.Fatalf("step %d: full row has %d fields, the table %d columns", step, len(full), len(tbl.schema.columns))
		}
		for _, dv := range []string{"false", "true", "all"} {
			for _, fields := range fieldSets {
				v := view{displayValue: dv, fields: fields, base: "https://acme.service-now.com"}
				got, want := e.recordBodyJSON(tbl, r, v), e.recordBodyJSON(tbl, full, v)
				if !bytes.Equal(got, want) {
					t.Fatalf("step %d, %s, display %s, fields %v:\nstored %s\n  full %s", step, id, dv, fields, got, want)
				}
			}
		}
	}
}

func sysIDs(rows []map[string]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r["sys_id"]
	}
	return out
}

// TestGoAPIHandsOutFullRows: Insert, Update, Get and Find return every
// column of the table, the ones never written as "".
func TestGoAPIHandsOutFullRows(t *testing.T) {
	e := New(Options{Columns: map[string][]string{"incident": {"u_extra"}}})
	cols := func() []string { return sortedUnique(e.tables["incident"].schema.columns) }
	rec, err := e.Insert("incident", "", map[string]string{"short_description": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(rec)); !slices.Equal(got, cols()) {
		t.Errorf("Insert returned fields %v, want the columns %v", got, cols())
	}
	if rec["assigned_to"] != "" || rec["short_description"] != "x" || rec["state"] != "1" {
		t.Errorf("Insert returned %v", rec)
	}
	upd, err := e.Update("incident", rec["sys_id"], "", map[string]string{"u_extra": "y"})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := e.Get("incident", rec["number"])
	found := e.Find("incident", "sys_id="+rec["sys_id"])
	if !ok || len(found) != 1 {
		t.Fatalf("Get found %v, Find %d rows", ok, len(found))
	}
	for name, r := range map[string]map[string]string{"Update": upd, "Get": got, "Find": found[0]} {
		if keys := slices.Sorted(maps.Keys(r)); !slices.Equal(keys, cols()) {
			t.Errorf("%s returned fields %v, want the columns %v", name, keys, cols())
		}
		if r["u_extra"] != "y" || r["close_notes"] != "" {
			t.Errorf("%s returned %v", name, r)
		}
	}
}

// TestUpdateToTheSameValuesIsNoUpdate: writing a column the row leaves out
// as "" changes nothing, so nothing is bumped, as when rows held every
// column.
func TestUpdateToTheSameValuesIsNoUpdate(t *testing.T) {
	clock := newClock()
	e := New(Options{Now: clock.Now})
	rec, err := e.Insert("incident", "", map[string]string{"short_description": "x"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	upd, err := e.Update("incident", rec["sys_id"], "", map[string]string{"assigned_to": "", "short_description": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if upd["sys_mod_count"] != "0" || upd["sys_updated_on"] != rec["sys_updated_on"] {
		t.Errorf("an update changing nothing bumped the record: mod count %s, updated %s (was %s)",
			upd["sys_mod_count"], upd["sys_updated_on"], rec["sys_updated_on"])
	}
}

// TestEveryRowHoldsTheSystemFields: selectLocked reads heldByEveryRow
// straight from the row, so every row of every table must hold them, the
// seeded ones included.
func TestEveryRowHoldsTheSystemFields(t *testing.T) {
	e := New(Options{Users: map[string]string{svcUser: svcPass}})
	if err := e.Seed(DemoSeed()); err != nil {
		t.Fatal(err)
	}
	rec, err := e.Insert("incident", svcUser, map[string]string{"short_description": "x", "work_notes": "a note"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Update("incident", rec["sys_id"], "", map[string]string{"state": "2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Insert("u_custom", "", map[string]string{"u_a": "1"}); err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for name, tbl := range e.tables {
		for id, r := range tbl.rows {
			for f := range heldByEveryRow {
				if _, ok := r[f]; !ok {
					t.Errorf("%s %s leaves %s out", name, id, f)
				}
			}
		}
	}
}

// TestNowIsTheClocksSecond: the date text kept with its second is the
// text of every instant of that second, whatever order the clock goes in.
func TestNowIsTheClocksSecond(t *testing.T) {
	clock := newClock()
	e := New(Options{Now: clock.Now})
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range []time.Duration{0, 999 * time.Millisecond, time.Millisecond, -time.Second, 2 * time.Second, -time.Nanosecond,
		-48 * time.Hour, 0} {
		clock.Advance(d)
		if got, want := e.now(), clock.Now().UTC().Truncate(time.Second).Format(query.DateTimeLayout); got != want {
			t.Errorf("%v: now %q, want %q", clock.Now(), got, want)
		}
	}
}
