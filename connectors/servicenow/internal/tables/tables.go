// Package tables names the fields of the ServiceNow tables cardflow knows
// out of the box: the emulator serves them, and the connector's lint warns
// of a field name in a flow that is none of them but is close to one.
package tables

import "slices"

// system are the fields every table has.
var system = []string{"sys_id", "sys_created_on", "sys_created_by", "sys_updated_on", "sys_updated_by", "sys_mod_count", "sys_tags"}

// builtin holds each table's own fields. incident's are those of the
// incident records in connectors/servicenow/testdata (a modern instance's
// incident with task fields).
var builtin = map[string][]string{
	"incident": {
		"parent", "made_sla", "caused_by", "watch_list", "upon_reject", "child_incidents", "hold_reason",
		"approval_history", "number", "resolved_by", "opened_by", "user_input", "sys_domain", "state",
		"knowledge", "order", "calendar_stc", "closed_at", "cmdb_ci", "delivery_plan", "impact", "active",
		"work_notes_list", "business_service", "priority", "sys_domain_path", "rfc", "time_worked",
		"expected_start", "opened_at", "business_duration", "group_list", "work_end", "caller_id",
		"reopened_time", "resolved_at", "approval_set", "subcategory", "work_notes", "short_description",
		"close_code", "correlation_display", "delivery_task", "work_start", "assignment_group",
		"additional_assignee_list", "business_stc", "description", "calendar_duration", "close_notes",
		"notify", "sys_class_name", "closed_by", "follow_up", "parent_incident", "contact_type",
		"reopened_by", "incident_state", "urgency", "problem_id", "company", "reassignment_count",
		"activity_due", "assigned_to", "severity", "comments", "approval", "sla_due",
		"comments_and_work_notes", "due_date", "reopen_count", "escalation", "upon_approval",
		"correlation_id", "location", "category",
	},
	"sys_user": {
		"user_name", "name", "first_name", "last_name", "email", "active", "title", "department",
		"manager", "company", "location", "phone", "mobile_phone", "employee_number", "locked_out", "time_zone",
		"sys_class_name", "sys_domain",
	},
	"sys_user_group":    {"name", "description", "email", "manager", "parent", "active", "type", "roles", "sys_domain"},
	"sys_user_grmember": {"user", "group"},
	"sys_choice":        {"name", "element", "value", "label", "sequence", "inactive", "language", "dependent_value", "hint"},
	"sys_journal_field": {"name", "element", "element_id", "value"},
}

// Columns returns the fields of the built-in table name, the system fields
// first, and whether it is one. The slice is the caller's to change.
func Columns(name string) ([]string, bool) {
	own, ok := builtin[name]
	if !ok {
		return nil, false
	}
	return append(slices.Clip(system), own...), true
}

// System returns the fields every table has, a slice the caller may change.
func System() []string { return slices.Clone(system) }

// Custom reports whether field is one a customer or a scoped application
// added (u_cost_center, x_acme_hr_badge): no list of a table's fields
// knows those.
func Custom(field string) bool {
	return len(field) > 2 && (field[:2] == "u_" || field[:2] == "x_")
}
