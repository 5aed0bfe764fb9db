package servicenow

import (
	"fmt"
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
func lintFields(table string) func(in cty.Value) []connector.Finding {
	return func(in cty.Value) []connector.Finding {
		name := table
		if name == "" {
			name = knownString(in, "table")
		}
		cols, ok := tables.Columns(name)
		if !ok {
			return nil
		}
		l := &fieldLint{table: name, cols: cols}
		if fields, ok := knownAttr(in, "fields"); ok {
			if fields.Type().IsMapType() {
				l.checkKeys("fields", fields, "drops a field the table does not have from a write, without an error: this value would not be stored")
			} else {
				l.checkElems("fields", fields, "leaves a field the table does not have out of the records it returns")
			}
		}
		if q := knownString(in, "query"); q != "" {
			if parsed, err := query.Parse(q); err == nil {
				for _, f := range parsed.Fields() {
					l.check("query", "", f, "ignores a condition on a field the table does not have: this query would match more records than it says")
				}
			}
		}
		if f := knownString(in, "idempotency_field"); f != "" {
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

// knownString returns in's string attribute name, or "" when it is not known.
func knownString(in cty.Value, name string) string {
	v, ok := knownAttr(in, name)
	if !ok || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}
