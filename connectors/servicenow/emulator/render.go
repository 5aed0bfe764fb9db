package emulator

import (
	"fmt"
	"strings"
)

// view is how a response renders records, from the sysparm_* parameters.
type view struct {
	displayValue string   // "false", "true" or "all"
	excludeLinks bool     // sysparm_exclude_reference_link
	fields       []string // sysparm_fields, sorted and unique; nil means every column
	base         string   // instance URL for links
}

// fieldLocked renders one field of rec in its JSON shape: every value a
// string, references {link, value} (or "" when empty), display values per
// v.displayValue. ok is false for a name the record does not have or
// cannot dot-walk: unknown names in sysparm_fields are left out.
func (e *Emulator) fieldLocked(t *table, rec map[string]string, f string, v view) (fieldValue, bool) {
	ft, leaf, val, ok := t, f, rec[f], true
	if strings.Contains(f, ".") {
		ft, leaf, val, ok = e.dotWalkLocked(t, rec, f)
	} else {
		ok = t.schema.has(f) // a row may leave an empty column out (see table)
	}
	if !ok {
		return fieldValue{}, false
	}
	return e.renderValueLocked(ft, rec, leaf, val, v), true
}

// fieldValue is a rendered field: a plain string, or an object holding some
// of display_value, link and value.
type fieldValue struct {
	obj                  bool
	str                  string // the plain string, when !obj
	display, link, value string
	hasDisplay, hasLink  bool
	hasValue             bool
}

func plain(s string) fieldValue { return fieldValue{str: s} }

func (e *Emulator) renderValueLocked(t *table, rec map[string]string, field, val string, v view) fieldValue {
	target, isRef := t.schema.refs[field]
	if !isRef {
		switch v.displayValue {
		case "true":
			return plain(e.displayLocked(t, rec, field, val))
		case "all":
			return fieldValue{obj: true, display: e.displayLocked(t, rec, field, val), hasDisplay: true, value: val, hasValue: true}
		}
		return plain(val)
	}
	link := func() string { return v.base + "/api/now/table/" + target + "/" + val }
	switch v.displayValue {
	case "true":
		dv := e.refDisplayLocked(target, val)
		if val == "" || v.excludeLinks {
			return plain(dv)
		}
		return fieldValue{obj: true, display: dv, hasDisplay: true, link: link(), hasLink: true}
	case "all":
		fv := fieldValue{obj: true, display: e.refDisplayLocked(target, val), hasDisplay: true, value: val, hasValue: true}
		if val != "" && !v.excludeLinks {
			fv.link, fv.hasLink = link(), true
		}
		return fv
	}
	if val == "" || v.excludeLinks {
		return plain(val)
	}
	return fieldValue{obj: true, link: link(), hasLink: true, value: val, hasValue: true}
}

// displayLocked is a scalar's display value: the choice label, or for a
// journal field the entries as the platform formats them, else the value.
// Dates display in the user's time zone, which the emulator keeps at UTC.
func (e *Emulator) displayLocked(t *table, rec map[string]string, field, val string) string {
	if t.schema.journal[field] {
		var b strings.Builder
		entries := e.journalLocked(t.name, rec["sys_id"])
		for i := len(entries) - 1; i >= 0; i-- { // newest first
			j := entries[i]
			if j.Field != field {
				continue
			}
			fmt.Fprintf(&b, "%s - %s (%s)\n%s\n\n", j.CreatedOn, e.userDisplayLocked(j.CreatedBy), journalLabel(field), j.Value)
		}
		return b.String()
	}
	if field == "close_code" {
		for _, r := range e.tables["sys_choice"].rows {
			if r["name"] == t.name && r["element"] == field && r["value"] == val {
				return r["label"]
			}
		}
	}
	if l, ok := t.schema.choices[field][val]; ok {
		return l
	}
	return val
}

func journalLabel(field string) string {
	if field == "work_notes" {
		return "Work notes"
	}
	return "Additional comments"
}

func (e *Emulator) userDisplayLocked(userName string) string {
	for _, r := range e.tables["sys_user"].rows {
		if r["user_name"] == userName {
			return r["name"]
		}
	}
	return userName
}

// refDisplayLocked is a reference's display value: the target's display
// field (a user's name, a group's name, an incident's number).
func (e *Emulator) refDisplayLocked(target, sysID string) string {
	if sysID == "" {
		return ""
	}
	t, ok := e.tables[target]
	if !ok {
		return sysID
	}
	r, ok := t.rows[sysID]
	if !ok {
		if target == "sys_user_group" && sysID == "global" {
			return "global"
		}
		return ""
	}
	return r[t.schema.display]
}
