// Package tables names the fields of the ServiceNow tables cardflow knows
// out of the box, and the choices of their choice fields: the emulator
// serves them, and the connector's lint warns of a field name in a flow
// that is none of them but is close to one, and of a choice's label
// written where the Table API takes its value.
package tables

import (
	"slices"
	"strings"
)

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

var stateLabels = map[string]string{"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved", "7": "Closed", "8": "Canceled"}

// choices holds, per table and choice field, each choice's value and label
// (those of a modern instance's incident).
var choices = map[string]map[string]map[string]string{
	"incident": {
		"state":          stateLabels,
		"incident_state": stateLabels,
		"impact":         {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"},
		"urgency":        {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"},
		"severity":       {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"},
		"priority":       {"1": "1 - Critical", "2": "2 - High", "3": "3 - Moderate", "4": "4 - Low", "5": "5 - Planning"},
		"approval":       {"not requested": "Not Yet Requested", "requested": "Requested", "approved": "Approved", "rejected": "Rejected"},
		"category":       {"inquiry": "Inquiry / Help", "software": "Software", "hardware": "Hardware", "network": "Network", "database": "Database"},
		"notify":         {"1": "Do Not Notify", "2": "Send Email"},
		"hold_reason":    {"1": "Awaiting Caller", "3": "Awaiting Problem", "4": "Awaiting Vendor", "5": "Awaiting Change"},
		"contact_type":   {"email": "Email", "phone": "Phone", "self-service": "Self-service", "walk-in": "Walk-in", "virtual_agent": "Virtual Agent"},
	},
}

// Choices returns the choice fields of table name, each with its choices'
// values and labels. The maps are shared: the caller only reads them.
func Choices(name string) map[string]map[string]string { return choices[name] }

// ValueOfLabel returns the value of the choice of table.field that s names
// by its label rather than its value ("Resolved" for 6; "High" or "1 -
// High" for 1), case aside, and whether s is such a label. A value is no
// label, even when a label spells it.
func ValueOfLabel(table, field, s string) (string, bool) {
	cs := choices[table][field]
	if _, isValue := cs[s]; isValue || s == "" {
		return "", false
	}
	for value, label := range cs {
		if strings.EqualFold(s, label) {
			return value, true
		}
		if _, bare, ok := strings.Cut(label, " - "); ok && strings.EqualFold(s, bare) {
			return value, true
		}
	}
	return "", false
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
