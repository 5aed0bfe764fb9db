package emulator

import (
	"strings"

	"github.com/cardflow/cardflow/connectors/servicenow/query"
)

// fieldIndex maps a field's values to the sys_ids of the rows holding them,
// for one table and the fields queried with `field=value`. An idempotent
// create (search by correlation_id, then insert) scanned every row before,
// so a load test creating tens of thousands of incidents went quadratic.
//
// Only tables whose rows are written by applyLocked alone (a fresh map per
// write, stored in one place) are indexed: see indexedTables. The index
// gives candidates, which selectLocked re-reads and matches with the full
// query, so a stale entry (a deleted row, an old value) costs a lookup and
// never a wrong answer; a missing entry cannot happen because every write
// of an indexed table goes through put.
type fieldIndex map[string]map[string]idSet // field → value → sys_ids

// idSet is a set of sys_ids held without a map while it has one: most
// indexed values (a correlation_id, a number) belong to one row, and a map
// per row was a fifth of an insert's cost.
type idSet struct {
	one  string              // the first id added ("" for none)
	more map[string]struct{} // the others, never one
}

// add returns s with id in it.
func (s idSet) add(id string) idSet {
	switch {
	case s.one == "" || s.one == id:
		s.one = id
	default:
		if s.more == nil {
			s.more = map[string]struct{}{}
		}
		s.more[id] = struct{}{}
	}
	return s
}

// each calls f with every id of s once.
func (s idSet) each(f func(id string)) {
	if s.one != "" {
		f(s.one)
	}
	for id := range s.more {
		f(id)
	}
}

// indexedTables are the tables whose rows only applyLocked writes.
var indexedTables = map[string]bool{"incident": true}

// put stores rec in t and keeps t's field indexes current.
func (t *table) put(rec map[string]string) {
	id := rec["sys_id"]
	t.rowSize = max(t.rowSize, len(rec))
	for f, byValue := range t.index {
		byValue[rec[f]] = byValue[rec[f]].add(id)
	}
	t.rows[id] = rec
}

// candidatesLocked returns the rows that can match q when q is one group
// with a `field=value` term the index can answer exactly; ok is false when
// every row must be scanned.
func (t *table) candidatesLocked(q *query.Query) (rows []map[string]string, ok bool) {
	if !indexedTables[t.name] || q == nil || len(q.Groups) != 1 {
		return nil, false
	}
	for _, term := range q.Groups[0].Terms {
		if len(term.Conds) != 1 {
			continue
		}
		c := term.Conds[0]
		// A value that may be a number compares numerically ("3" = "3.0"),
		// a dot-walked field is not in the row, and a condition on a field
		// the table does not have is dropped (the query matches as if it
		// were not there): scan for those. A column's index has every row,
		// under "" when the row leaves the column out.
		if c.Op != query.OpEq || strings.Contains(c.Field, ".") || !t.schema.has(c.Field) ||
			strings.Trim(c.Value, "0123456789.+-eE") == "" {
			continue
		}
		byValue := t.indexLocked(c.Field)
		byValue[c.Value].each(func(id string) {
			if r, ok := t.rows[id]; ok && r[c.Field] == c.Value {
				rows = append(rows, r)
			}
		})
		return rows, true
	}
	return nil, false
}

// indexLocked returns the index of field, building it on first use.
func (t *table) indexLocked(field string) map[string]idSet {
	if byValue, ok := t.index[field]; ok {
		return byValue
	}
	if t.index == nil {
		t.index = fieldIndex{}
	}
	byValue := map[string]idSet{}
	for id, r := range t.rows {
		byValue[r[field]] = byValue[r[field]].add(id)
	}
	t.index[field] = byValue
	return byValue
}
