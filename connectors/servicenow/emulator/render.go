package emulator

import (
	"fmt"
	"strings"
)

// view is how a response renders records, from the sysparm_* parameters.
type view struct {
	displayValue string   // "false", "true" or "all"
	excludeLinks bool     // sysparm_exclude_reference_link
	fields       []string // sysparm_fields; nil means every column
	base         string   // instance URL for links
}

// renderLocked turns a stored record into its JSON shape: every value a
// string, references {link, value} (or "" when empty), display values per
// v.displayValue. Unknown names in sysparm_fields are left out.
func (e *Emulator) renderLocked(t *table, rec map[string]string, v view) map[string]any {
	fields := v.fields
	if fields == nil {
		fields = t.schema.columns
	}
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		ft, leaf, val, ok := t, f, rec[f], true
		if strings.Contains(f, ".") {
			ft, leaf, val, ok = e.dotWalkLocked(t, rec, f)
		} else {
			_, ok = rec[f]
		}
		if !ok {
			continue
		}
		out[f] = e.renderValueLocked(ft, rec, leaf, val, v)
	}
	return out
}

func (e *Emulator) renderValueLocked(t *table, rec map[string]string, field, val string, v view) any {
	target, isRef := t.schema.refs[field]
	if !isRef {
		switch v.displayValue {
		case "true":
			return e.displayLocked(t, rec, field, val)
		case "all":
			return map[string]string{"display_value": e.displayLocked(t, rec, field, val), "value": val}
		}
		return val
	}
	link := v.base + "/api/now/table/" + target + "/" + val
	switch v.displayValue {
	case "true":
		dv := e.refDisplayLocked(target, val)
		if val == "" || v.excludeLinks {
			return dv
		}
		return map[string]string{"display_value": dv, "link": link}
	case "all":
		m := map[string]string{"display_value": e.refDisplayLocked(target, val), "value": val}
		if val != "" && !v.excludeLinks {
			m["link"] = link
		}
		return m
	}
	if val == "" || v.excludeLinks {
		return val
	}
	return map[string]string{"link": link, "value": val}
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
