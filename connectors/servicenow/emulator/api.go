package emulator

import (
	"maps"
	"slices"
	"strings"

	"github.com/cardflow/cardflow/connectors/servicenow/query"
)

// Insert creates a record as asUser through the same rules as an HTTP POST
// and returns it (reference fields hold sys_ids). An unknown table is
// created. Data policy violations are *PolicyError.
func (e *Emulator) Insert(tableName, asUser string, fields map[string]string) (map[string]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.tableLocked(tableName, true)
	if err != nil {
		return nil, err
	}
	rec, err := e.applyLocked(write{t: t, fields: fields, user: actor(asUser)})
	return t.full(rec), err
}

// Update changes the given fields of a record as asUser through the same
// rules as an HTTP PATCH. It returns *PolicyError for a data policy
// violation, ErrNotFound or *InvalidTableError.
func (e *Emulator) Update(tableName, sysID, asUser string, fields map[string]string) (map[string]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.tableLocked(tableName, false)
	if err != nil {
		return nil, err
	}
	old, ok := t.rows[sysID]
	if !ok {
		return nil, ErrNotFound
	}
	rec, err := e.applyLocked(write{t: t, old: old, fields: fields, user: actor(asUser)})
	return t.full(rec), err
}

// actor is the user a Go API write acts as: "system", like a script, when
// none is given.
func actor(user string) string {
	if user == "" {
		return "system"
	}
	return user
}

// Delete removes a record and its journal entries.
func (e *Emulator) Delete(tableName, sysID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.tableLocked(tableName, false)
	if err != nil {
		return err
	}
	if _, ok := t.rows[sysID]; !ok {
		return ErrNotFound
	}
	delete(t.rows, sysID)
	journal := e.tables["sys_journal_field"]
	for id, r := range journal.rows {
		if r["name"] == tableName && r["element_id"] == sysID {
			delete(journal.rows, id)
		}
	}
	return nil
}

// Get returns a copy of the record with this sys_id or number.
func (e *Emulator) Get(tableName, sysIDOrNumber string) (map[string]string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.tables[tableName]
	if !ok {
		return nil, false
	}
	if r, ok := t.rows[sysIDOrNumber]; ok {
		return t.full(r), true
	}
	for _, r := range t.rows {
		if r["number"] != "" && r["number"] == sysIDOrNumber {
			return t.full(r), true
		}
	}
	return nil, false
}

// Find returns copies of the records matching an encoded query, in the
// order the Table API would list them. An invalid query or table finds
// nothing.
func (e *Emulator) Find(tableName, encodedQuery string) []map[string]string {
	q, err := query.Parse(encodedQuery)
	if err != nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	t, ok := e.tables[tableName]
	if !ok {
		return nil
	}
	rows, err := e.selectLocked(t, q)
	if err != nil {
		return nil
	}
	out := make([]map[string]string, len(rows))
	for i, r := range rows {
		out[i] = t.full(r)
	}
	return out
}

// JournalEntry is one work note or comment.
type JournalEntry struct {
	Field, Value, CreatedOn, CreatedBy string
}

// Journal returns the journal entries (work_notes, comments) of a record,
// oldest first.
func (e *Emulator) Journal(tableName, sysID string) []JournalEntry {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.journalLocked(tableName, sysID)
}

func (e *Emulator) journalLocked(tableName, sysID string) []JournalEntry {
	var out []JournalEntry
	for _, r := range e.tables["sys_journal_field"].rows {
		if r["name"] == tableName && r["element_id"] == sysID {
			out = append(out, JournalEntry{r["element"], r["value"], r["sys_created_on"], r["sys_created_by"]})
		}
	}
	slices.SortStableFunc(out, func(a, b JournalEntry) int { return strings.Compare(a.CreatedOn, b.CreatedOn) })
	return out
}

// selectLocked returns the rows of t matching q (javascript values resolved
// in the configured time zone), sorted by q's ORDERBY and then by
// sys_created_on and sys_id, which is also the order without ORDERBY.
func (e *Emulator) selectLocked(t *table, q *query.Query) ([]map[string]string, error) {
	q, err := q.Resolve(e.opts.TimeZone)
	if err != nil {
		return nil, err
	}
	sel := newSelection(q)
	opts := query.MatchOptions{Strict: e.opts.StrictQuery, Location: e.opts.TimeZone}
	// Collecting every row costs as much as a scan of 10,000 incidents
	// does: only when the index cannot answer.
	scan, indexed := t.candidatesLocked(q)
	if !indexed {
		scan = slices.Collect(maps.Values(t.rows))
	}
	// Match and the sort read the query's fields: the dotted ones are
	// walked, the others are the table's columns, which a row may leave out
	// (see table) unless blankLocked writes them into every row.
	var dotted, read, mayLack []string
	for _, f := range q.Fields() {
		switch {
		case strings.Contains(f, "."):
			dotted = append(dotted, f)
		case t.schema.has(f):
			read = append(read, f)
			if !heldByEveryRow[f] {
				mayLack = append(mayLack, f)
			}
		}
	}
	read = append(read, "sys_created_on", "sys_id") // the order's tie-breaks
	// scratch is the row as Match sees it when the row itself will not do:
	// only the fields read, those the row leaves out as "", and the dotted
	// ones walked. Reused row after row: Match keeps nothing.
	var scratch map[string]string
	for _, r := range scan {
		view := r
		if len(dotted) > 0 || !holdsAll(r, mayLack) {
			if scratch == nil {
				scratch = make(map[string]string, len(read)+len(dotted))
			}
			clear(scratch)
			for _, f := range read {
				scratch[f] = r[f]
			}
			for _, f := range dotted {
				if _, _, v, ok := e.dotWalkLocked(t, r, f); ok {
					scratch[f] = v
				}
			}
			view = scratch
		}
		if q.Match(view, opts) {
			sel.add(r, view)
		}
	}
	return sel.sorted(), nil
}

// selection is what a select matched, in the order it sorts by: q's
// ORDERBY, then sys_created_on and sys_id.
type selection struct {
	order []query.Order
	rows  []selected
}

// selected is a matched row and its ORDERBY values, read once rather than
// per comparison.
type selected struct {
	rec  map[string]string
	keys []string
}

func newSelection(q *query.Query) *selection {
	return &selection{order: append(slices.Clone(q.OrderBy), query.Order{Field: "sys_created_on"}, query.Order{Field: "sys_id"})}
}

// add keeps rec, whose fields Match and the sort read in view.
func (s *selection) add(rec, view map[string]string) {
	keys := make([]string, len(s.order))
	for i, o := range s.order {
		keys[i] = view[o.Field]
	}
	s.rows = append(s.rows, selected{rec, keys})
}

// sorted returns the rows kept, sorted.
func (s *selection) sorted() []map[string]string {
	slices.SortFunc(s.rows, func(a, b selected) int {
		for i, o := range s.order {
			if c := query.Compare(a.keys[i], b.keys[i]); c != 0 {
				if o.Desc {
					return -c
				}
				return c
			}
		}
		return 0
	})
	out := make([]map[string]string, len(s.rows))
	for i, r := range s.rows {
		out[i] = r.rec
	}
	return out
}

// heldByEveryRow are the columns blankLocked writes into every new row of
// every table. A row never loses a field (writes copy the old row and
// add to it), so no row leaves these out.
var heldByEveryRow = map[string]bool{"sys_id": true, "sys_created_on": true, "sys_updated_on": true,
	"sys_created_by": true, "sys_updated_by": true, "sys_mod_count": true}

// holdsAll reports whether r holds every one of fields.
func holdsAll(r map[string]string, fields []string) bool {
	for _, f := range fields {
		if _, ok := r[f]; !ok {
			return false
		}
	}
	return true
}

// dotWalkLocked follows a dot-walked field such as caller_id.user_name from
// rec, returning the table and field the path ends on and its value.
func (e *Emulator) dotWalkLocked(t *table, rec map[string]string, path string) (*table, string, string, bool) {
	parts := strings.Split(path, ".")
	for i, f := range parts {
		if !t.schema.has(f) {
			return nil, "", "", false
		}
		v := rec[f] // "" when the row leaves the column out
		if i == len(parts)-1 {
			return t, f, v, true
		}
		target, ok := t.schema.refs[f]
		if !ok {
			return nil, "", "", false
		}
		nt, ok := e.tables[target]
		if !ok {
			return nil, "", "", false
		}
		next, ok := nt.rows[v]
		if !ok {
			// An empty or dangling reference walks to empty values.
			last := parts[len(parts)-1]
			return nt, last, "", true
		}
		t, rec = nt, next
	}
	return nil, "", "", false
}
