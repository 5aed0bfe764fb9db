package emulator

import (
	"maps"
	"strconv"
	"strings"
)

// write is one insert or update as it goes through the platform's write path.
type write struct {
	t      *table
	old    map[string]string // nil on insert
	fields map[string]string
	user   string
	// seed writes keep the sys_ fields they are given and skip data policy,
	// so seeded history looks as it was.
	seed bool
	// noSysFields is sysparm_suppress_auto_sys_field: an update leaves
	// sys_updated_on, sys_updated_by and sys_mod_count alone.
	noSysFields bool
}

// applyLocked runs w through the rules and stores the result, returning the
// stored record, which the caller must not change (the Go API hands out
// copies). Nothing is stored when it returns an error.
func (e *Emulator) applyLocked(w write) (map[string]string, error) {
	userID := e.userIDLocked(w.user)
	var rec map[string]string
	if w.old == nil {
		rec = e.blankLocked(w.t, w.user)
		e.insertDefaultsLocked(w.t, rec, userID, !(w.seed && w.fields["number"] != ""))
	} else {
		rec = maps.Clone(w.old)
	}
	changes, journal := e.filterLocked(w)
	if w.t.name == "incident" {
		if err := e.incidentRulesLocked(w, rec, changes, userID); err != nil {
			return nil, err
		}
	} else {
		maps.Copy(rec, changes)
	}
	if w.old != nil && len(journal) == 0 && sameRecord(rec, w.old) {
		// The platform skips an update that changes nothing: no bump.
		return w.old, nil
	}
	e.bookkeepLocked(w, rec)
	for _, j := range journal {
		e.addJournalLocked(w.t.name, rec["sys_id"], j.field, j.value, w.user)
	}
	w.t.put(rec)
	return rec, nil
}

type journalEntry struct{ field, value string }

// filterLocked keeps the fields a client may write: the table's columns
// (built-in or declared, any well-formed name on open custom tables), not
// sys_ fields
// (except sys_id on insert, and anything when seeding). Journal fields are
// split off, and references are normalised to sys_ids.
func (e *Emulator) filterLocked(w write) (map[string]string, []journalEntry) {
	changes := map[string]string{}
	var journal []journalEntry
	for f, v := range w.fields {
		switch {
		case !validFieldName(f):
			continue
		case w.t.schema.journal[f]:
			if v != "" {
				journal = append(journal, journalEntry{f, v})
			}
			continue
		case strings.HasPrefix(f, "sys_") && !w.seed && !(f == "sys_id" && w.old == nil && isSysID(v) && w.t.rows[v] == nil):
			continue
		case !w.t.schema.has(f):
			if !w.t.schema.open {
				// Unknown fields are ignored, as on the platform: a u_
				// field the instance's admins never added is not stored.
				continue
			}
			w.t.addColumn(f)
		}
		if target, ok := w.t.schema.refs[f]; ok {
			v = e.resolveRefLocked(target, v)
		}
		changes[f] = v
	}
	return changes, journal
}

// resolveRefLocked maps a reference value to a sys_id: a sys_id of the
// target stays, a display value (or user_name) of exactly one target row is
// replaced by its sys_id, anything else is stored as given.
func (e *Emulator) resolveRefLocked(target, v string) string {
	t, ok := e.tables[target]
	if !ok || v == "" || t.rows[v] != nil {
		return v
	}
	found := ""
	for id, r := range t.rows {
		if r[t.schema.display] == v || (target == "sys_user" && r["user_name"] == v) {
			if found != "" {
				return v
			}
			found = id
		}
	}
	if found == "" {
		return v
	}
	return found
}

// insertDefaultsLocked fills an insert's defaults. A number is drawn from
// the counter unless a seed brings its own (the platform draws one for any
// insert, even when the client then overwrites it).
func (e *Emulator) insertDefaultsLocked(t *table, rec map[string]string, userID string, number bool) {
	if p := t.schema.numberPrefix; p != "" && number {
		e.numbers[p]++
		rec["number"] = p + pad7(e.numbers[p])
	}
	switch t.name {
	case "incident":
		for _, d := range incidentDefaults {
			rec[d[0]] = d[1]
		}
		rec["opened_at"], rec["opened_by"] = rec["sys_created_on"], userID
	case "sys_user", "sys_user_group":
		rec["active"] = "true"
	case "sys_choice":
		rec["inactive"], rec["language"] = "false", "en"
	}
}

// incidentDefaults are the field values of a new incident (besides
// opened_at and opened_by), as field, value pairs.
var incidentDefaults = [][2]string{
	{"state", "1"}, {"incident_state", "1"}, {"active", "true"}, {"approval", "not requested"},
	{"impact", "3"}, {"urgency", "3"}, {"severity", "3"}, {"priority", "5"}, {"notify", "1"},
	{"made_sla", "true"}, {"knowledge", "false"}, {"upon_reject", "cancel"}, {"upon_approval", "proceed"},
	{"child_incidents", "0"}, {"reassignment_count", "0"}, {"reopen_count", "0"}, {"escalation", "0"},
	{"category", "inquiry"}, {"sys_domain", "global"}, {"sys_domain_path", "/"},
}

// bookkeepLocked sets the system fields of a write: sys_mod_count +1,
// sys_updated_on now (one-second precision, so updates in the same second
// tie), sys_updated_by the acting user.
func (e *Emulator) bookkeepLocked(w write, rec map[string]string) {
	if w.seed {
		if rec["sys_created_on"] == "" {
			rec["sys_created_on"] = e.now()
		}
		if w.fields["sys_updated_on"] == "" {
			rec["sys_updated_on"] = rec["sys_created_on"]
		}
		if w.t.schema.has("opened_at") && w.old == nil && w.fields["opened_at"] == "" {
			rec["opened_at"] = rec["sys_created_on"]
		}
		e.bumpNumberLocked(w.t, rec["number"])
		return
	}
	if w.old == nil || w.noSysFields {
		return // blankLocked set the insert's system fields
	}
	n, _ := strconv.Atoi(w.old["sys_mod_count"])
	rec["sys_mod_count"] = strconv.Itoa(n + 1)
	rec["sys_updated_on"] = e.now()
	rec["sys_updated_by"] = w.user
}

// bumpNumberLocked keeps the number counter past seeded numbers.
func (e *Emulator) bumpNumberLocked(t *table, number string) {
	p := t.schema.numberPrefix
	if p == "" || !strings.HasPrefix(number, p) {
		return
	}
	if n, err := strconv.Atoi(number[len(p):]); err == nil && n > e.numbers[p] {
		e.numbers[p] = n
	}
}

func pad7(n int) string {
	s := strconv.Itoa(n)
	if len(s) < 7 {
		s = strings.Repeat("0", 7-len(s)) + s
	}
	return s
}

// addJournalLocked appends a journal entry as a sys_journal_field row, where
// the platform keeps them; the journal field itself always reads "".
func (e *Emulator) addJournalLocked(tableName, sysID, field, value, user string) {
	j := e.tables["sys_journal_field"]
	rec := e.blankLocked(j, user)
	rec["name"], rec["element_id"], rec["element"], rec["value"] = tableName, sysID, field, value
	j.rows[rec["sys_id"]] = rec
}
