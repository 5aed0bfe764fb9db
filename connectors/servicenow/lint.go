package servicenow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/cardflow/cardflow/connectors/servicenow/internal/tables"
	"github.com/cardflow/cardflow/connectors/servicenow/query"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/zclconf/go-cty/cty"
)

// lintFields returns the Lint of the actions and triggers that name fields
// of a table: the table argument's, or table when it is set (the incident
// actions). It warns of a field the table does not have when the table is
// one cardflow knows and the name is a few letters from one of its fields.
// ServiceNow takes a misspelt field without an error: a write drops it,
// sysparm_fields leaves it out, and a query ignores the condition on it,
// so the query matches more than it says. The lookup of an idempotent
// create, whose condition is on idempotency_field, then finds another
// record of the table and takes it for the one it was to create.
//
// A name close to none of the fields is left alone: the table may have it
// on an instance with more plugins than cardflow's list knows, as it
// has the custom fields (u_, x_).
//
// It warns too of a choice written by its label (state "Resolved") in a
// write or a query condition: the Table API takes values, so a write
// drops the label and a condition on it matches nothing.
func lintFields(table string) func(in cty.Value) []connector.Finding {
	return func(in cty.Value) []connector.Finding {
		name := tableOf(in, table)
		cols, ok := tables.Columns(name)
		if !ok {
			return nil
		}
		l := &fieldLint{table: name, cols: cols}
		if fields, ok := knownAttr(in, "fields"); ok {
			if fields.Type().IsMapType() {
				l.checkKeys("fields", fields, "drops a field the table does not have from a write, without an error: this value would not be stored")
				l.checkChoices(fields)
			} else {
				l.checkElems("fields", fields, "leaves a field the table does not have out of the records it returns")
			}
		}
		if q := connector.String(in, "query"); q != "" {
			if parsed, err := query.Parse(q); err == nil {
				for _, f := range parsed.Fields() {
					l.check("query", "", f, "ignores a condition on a field the table does not have: this query would match more records than it says")
				}
				l.checkQueryChoices(parsed)
			}
		}
		if f := connector.String(in, "idempotency_field"); f != "" {
			l.check("idempotency_field", "", f, "ignores a condition on a field the table does not have: the lookup by idempotency_key would match another record and return it as this one")
		}
		return l.found
	}
}

type fieldLint struct {
	table string
	cols  []string
	found []connector.Finding
}

// check adds a finding when field (or, dot-walked, its first step) is not
// one of the table's fields but is close to one.
func (l *fieldLint) check(arg, key, field, consequence string) {
	first, _, _ := strings.Cut(field, ".")
	if first == "" || tables.Custom(first) || slices.Contains(l.cols, first) {
		return
	}
	hint := didyoumean.Name(first, l.cols)
	if hint == "" {
		return
	}
	l.found = append(l.found, connector.Finding{
		Arg: arg, Key: key,
		Summary: "Unknown ServiceNow field",
		Detail: fmt.Sprintf("The %s table has no field %q. Did you mean %q? ServiceNow %s.",
			l.table, first, hint, consequence),
	})
}

// checkChoices adds a finding for each value of a write that names a
// choice by its label: ServiceNow drops a choice value it does not know,
// as it does an unknown field.
func (l *fieldLint) checkChoices(fields cty.Value) {
	for it := fields.ElementIterator(); it.Next(); {
		k, v := it.Element()
		if v.IsKnown() && !v.IsNull() {
			l.checkChoice("fields", k.AsString(), k.AsString(), v.AsString(),
				"drops a choice value it does not know from a write, without an error")
		}
	}
}

// checkQueryChoices adds a finding for each condition of q that compares a
// choice field with a label: the query compares values, so state=Resolved
// matches no record.
func (l *fieldLint) checkQueryChoices(q *query.Query) {
	for _, g := range q.Groups {
		for _, t := range g.Terms {
			for _, c := range t.Conds {
				var vals []string
				switch c.Op {
				case query.OpEq, query.OpNe:
					vals = []string{c.Value}
				case query.OpIn, query.OpNotIn:
					vals = strings.Split(c.Value, ",")
				}
				for _, v := range vals {
					l.checkChoice("query", "", c.Field, v,
						"compares a choice field's value in a query, not its label: this condition would match no record")
				}
			}
		}
	}
}

func (l *fieldLint) checkChoice(arg, key, field, value, consequence string) {
	want, ok := tables.ValueOfLabel(l.table, field, value)
	if !ok {
		return
	}
	l.found = append(l.found, connector.Finding{
		Arg: arg, Key: key,
		Summary: "ServiceNow choice label instead of its value",
		Detail: fmt.Sprintf("%q is the label of a choice of %s.%s, whose value is %q: write %s %q. ServiceNow %s.",
			value, l.table, field, want, field, want, consequence),
	})
}

func (l *fieldLint) checkKeys(arg string, m cty.Value, consequence string) {
	for it := m.ElementIterator(); it.Next(); {
		k, _ := it.Element()
		l.check(arg, k.AsString(), k.AsString(), consequence)
	}
}

func (l *fieldLint) checkElems(arg string, list cty.Value, consequence string) {
	for it := list.ElementIterator(); it.Next(); {
		_, v := it.Element()
		if v.IsKnown() && !v.IsNull() {
			l.check(arg, v.AsString(), v.AsString(), consequence)
		}
	}
}

// knownAttr returns in's attribute name when it is known and not null.
func knownAttr(in cty.Value, name string) (cty.Value, bool) {
	if !in.Type().IsObjectType() || !in.Type().HasAttribute(name) {
		return cty.NilVal, false
	}
	v := in.GetAttr(name)
	return v, v.IsKnown() && !v.IsNull()
}

// lintRecordCompare is the record triggers' LintCompare: a predicate that
// compares trigger.record.<choice field> with the choice's label is never
// true, as records hold values ("6", not "Resolved").
func lintRecordCompare(cfg cty.Value, path []string, literal string) (connector.Finding, bool) {
	return recordLabel(connector.String(cfg, "table"), path, literal)
}

// lintOutputCompare returns the LintCompare of the actions whose output
// holds a record of the table argument's, or of table when it is set: a
// predicate comparing card.<name>.record.<choice field> with a label is
// never true either.
func lintOutputCompare(table string) func(in cty.Value, path []string, literal string) (connector.Finding, bool) {
	return func(in cty.Value, path []string, literal string) (connector.Finding, bool) {
		name := tableOf(in, table)
		return recordLabel(name, path, literal)
	}
}

// recordLabel judges a comparison of a record of table at path
// (["record", field]) with literal.
func recordLabel(table string, path []string, literal string) (connector.Finding, bool) {
	if len(path) != 2 || path[0] != "record" {
		return connector.Finding{}, false
	}
	value, ok := tables.ValueOfLabel(table, path[1], literal)
	if !ok {
		return connector.Finding{}, false
	}
	return connector.Finding{
		Summary: "ServiceNow choice label instead of its value",
		Detail: fmt.Sprintf("%q is the label of a choice of %s.%s, whose value is %q: compare record.%s with %q. Records hold a choice field's value, so this comparison is never true.",
			literal, table, path[1], value, path[1], value),
	}, true
}

// checkCloseCode is the CheckRemote of resolve_incident and close_incident:
// `cardflow validate --check-env` reads the instance's close codes, as the
// card's error would after the fact, and warns of a close_code that is not
// one of them. The instance drops an unknown code without an error, and
// its data policy then refuses the resolution with 403, at the end of an
// onboarding rather than before the first.
func checkCloseCode(ctx context.Context, cl connector.Client, in cty.Value) []connector.Finding {
	c, ok := cl.(*Client)
	code := connector.String(in, "close_code")
	if !ok || c == nil || code == "" {
		return nil
	}
	codes, err := c.closeCodes(ctx)
	switch {
	case err != nil:
		return []connector.Finding{{Arg: "close_code", Summary: "ServiceNow close code not checked",
			Detail: fmt.Sprintf("cardflow could not read the close codes of %s (sys_choice), so it cannot tell whether the flows' close codes are valid: %v. "+
				"Check that instance_url is reachable from here and that the user may read sys_choice.", c.base.Redacted(), err)}}
	case len(codes) == 0 || slices.Contains(codes, code):
		return nil
	}
	return []connector.Finding{{Arg: "close_code", Summary: "No such ServiceNow close code",
		Detail: fmt.Sprintf("%q is not a close code of %s, whose codes are %s: the instance drops it, and its data policy then refuses the resolution (HTTP 403). "+
			"Use one of them (matched exactly, case included).", code, c.base.Redacted(), quoteAll(codes))}}
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// checkTable is the CheckRemote of the actions and triggers that name a
// table: `cardflow validate --check-env` reads one record of it, and warns
// when the instance has no such table (400 "Invalid table"), which would
// fail every card on it or every poll of the trigger.
func checkTable(ctx context.Context, cl connector.Client, in cty.Value) []connector.Finding {
	c, ok := cl.(*Client)
	table := connector.String(in, "table")
	if !ok || c == nil || table == "" {
		return nil
	}
	params := recordParams()
	params.Set("sysparm_limit", "1")
	params.Set("sysparm_fields", "sys_id")
	_, err := c.list(ctx, &request{op: "servicenow.check_table", method: http.MethodGet, path: tablePath(table), query: params})
	var ce *connector.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce) && ce.Status == http.StatusBadRequest && strings.Contains(ce.Message, "Invalid table"):
		return []connector.Finding{{Arg: "table", Summary: "No such ServiceNow table",
			Detail: fmt.Sprintf("%s has no table %q (HTTP 400 Invalid table): every request on it will fail. "+
				"Table names are the internal ones (incident, sys_user, u_access_request), not labels.", c.base.Redacted(), table)}}
	}
	return []connector.Finding{{Arg: "table", Summary: "ServiceNow table not checked",
		Detail: fmt.Sprintf("cardflow could not read the table %q of %s, so it cannot tell whether the flows' tables exist: %v. "+
			"Check that instance_url is reachable from here and that the user may read the table.", table, c.base.Redacted(), err)}}
}

// checkCreate is the CheckRemote of create_record: checkTable, and, for a
// create with an idempotency_key, whether the table has idempotency_field.
// An instance ignores a condition on a field its table lacks and drops the
// field from writes, so the lookup by key would find another record. The
// Table API has no error for a missing field: one record is read with
// sysparm_fields naming it, and a record without it answers. An empty
// table tells nothing, and gets no finding.
func checkCreate(ctx context.Context, cl connector.Client, in cty.Value) []connector.Finding {
	if found := checkTable(ctx, cl, in); len(found) > 0 {
		return found
	}
	c, ok := cl.(*Client)
	table, field := connector.String(in, "table"), connector.String(in, "idempotency_field")
	if key := in.GetAttr("idempotency_key"); !ok || c == nil || table == "" || field == "" || key.IsNull() {
		return nil
	}
	params := recordParams()
	params.Set("sysparm_limit", "1")
	params.Set("sysparm_fields", "sys_id,"+field)
	p, err := c.list(ctx, &request{op: "servicenow.check_field", method: http.MethodGet, path: tablePath(table), query: params})
	if err != nil || len(p.rows) == 0 {
		return nil
	}
	if _, has := p.rows[0][field]; has {
		return nil
	}
	return []connector.Finding{{Arg: "idempotency_field", Summary: "No such ServiceNow field",
		Detail: fmt.Sprintf("The %s table of %s has no field %q: ServiceNow drops it from the record it creates and ignores "+
			"the lookup's condition on it, so the card would fail rather than find the record it created before. "+
			"Set idempotency_field to a field the table has (correlation_id, the default), or have the instance's admin add the column.",
			table, c.base.Redacted(), field)}}
}

// tableOf is the table a card's input in is about: table when the action
// names it (the incident actions), else the input's table argument.
func tableOf(in cty.Value, table string) string {
	if table != "" {
		return table
	}
	return connector.String(in, "table")
}
