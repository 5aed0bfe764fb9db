package emulator

import "github.com/cardflow/cardflow/connectors/servicenow/internal/tables"

// schema describes one table: its columns, which of them are references and
// to what, choice labels for display values, and journal fields.
type schema struct {
	columns []string
	refs    map[string]string // reference field → target table
	choices map[string]map[string]string
	journal map[string]bool
	// display is the field shown as a reference's display value.
	display string
	// numberPrefix makes inserts get number = prefix + %07d.
	numberPrefix string
	// open means any well-formed field name may be written (custom tables).
	open bool
	// set holds columns[:setOf] for has, which every write asks for each
	// of its fields and every rendered field of a sysparm_fields answer.
	set   map[string]bool
	setOf int
}

// has reports whether field is a column. The caller holds the emulator's
// lock: the set follows columns, which only grow, on first use after.
func (s *schema) has(field string) bool {
	if s.setOf != len(s.columns) {
		if s.set == nil {
			s.set = make(map[string]bool, len(s.columns))
		}
		for _, c := range s.columns[s.setOf:] {
			s.set[c] = true
		}
		s.setOf = len(s.columns)
	}
	return s.set[field]
}

// columns returns the fields of the built-in table name.
func columns(name string) []string {
	cols, ok := tables.Columns(name)
	if !ok {
		panic("emulator: no built-in table " + name)
	}
	return cols
}

var incidentSchema = &schema{
	columns: columns("incident"),
	refs: map[string]string{
		"caller_id": "sys_user", "opened_by": "sys_user", "assigned_to": "sys_user", "resolved_by": "sys_user",
		"closed_by": "sys_user", "reopened_by": "sys_user", "assignment_group": "sys_user_group",
		"sys_domain": "sys_user_group", "company": "core_company", "cmdb_ci": "cmdb_ci", "problem_id": "problem",
		"parent": "task", "parent_incident": "incident", "caused_by": "change_request", "rfc": "change_request",
		"business_service": "cmdb_ci_service", "location": "cmn_location",
	},
	choices:      tables.Choices("incident"),
	journal:      map[string]bool{"work_notes": true, "comments": true},
	display:      "number",
	numberPrefix: "INC",
}

var builtinSchemas = map[string]*schema{
	"incident": incidentSchema,
	"sys_user": {
		columns: columns("sys_user"),
		refs:    map[string]string{"manager": "sys_user", "company": "core_company", "location": "cmn_location", "department": "cmn_department", "sys_domain": "sys_user_group"},
		display: "name",
	},
	"sys_user_group": {
		columns: columns("sys_user_group"),
		refs:    map[string]string{"manager": "sys_user", "parent": "sys_user_group", "sys_domain": "sys_user_group"},
		display: "name",
	},
	"sys_user_grmember": {
		columns: columns("sys_user_grmember"),
		refs:    map[string]string{"user": "sys_user", "group": "sys_user_group"},
		display: "sys_id",
	},
	"sys_choice": {
		columns: columns("sys_choice"),
		display: "label",
	},
	"sys_journal_field": {
		columns: columns("sys_journal_field"),
		display: "value",
	},
}

// defaultCloseCodes are the resolution codes of a modern instance or PDI
// (reference §3.3).
var defaultCloseCodes = []string{
	"Solution provided", "Workaround provided", "Resolved by caller", "Resolved by change",
	"Resolved by problem", "Resolved by request", "Known error", "Duplicate", "User error",
	"No resolution provided",
}
