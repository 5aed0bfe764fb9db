package importer

import (
	"fmt"
	"strings"
)

// The Okta Workflows table (stash) cards, as table.* cards. Okta keys rows
// by a generated row id; cardflow keys them by a column (the table's first
// column, see tables.hcl), so a Row ID becomes that column's value.

var tableCards = map[string]*actionMapping{
	"createRow": {
		action:  "table.put",
		outputs: map[string]string{"Row ID": ".key"},
		built:   map[string]bool{"Fields": true},
		build: func(fc *flowConv, m *Method, b *block) bool {
			t := fc.table(m, b)
			if t == nil {
				return false
			}
			keys, vals := fc.groupObject(m, "Fields")
			// Okta Workflows gives a column that is not set its
			// default; cardflow tables have none.
			for _, c := range t.columns {
				if d := columnDefault(c); d != "" && vals[c.Name] == "" {
					keys = append(keys, c.Name)
					vals[c.Name] = d
				}
			}
			b.set("key", "tostring("+keyOf(t, vals)+")")
			b.set("row", object(keys, vals))
			return true
		},
	},
	"updateRow": {
		action: "table.put",
		inputs: map[string]string{"Update By/Row ID": "-", "parameters/updateEmptyInputs": "-"},
		built:  map[string]bool{"Fields": true},
		build: func(fc *flowConv, m *Method, b *block) bool {
			t := fc.table(m, b)
			id, _, ok := fc.inputByKey(m, "Update By", "Row ID")
			if t == nil || !ok {
				return false
			}
			keys, vals := fc.groupObject(m, "Fields")
			// Update Row needs the row id: it fails when the row it was
			// read from was not found, and so does the unguarded read.
			if _, inner, ok := unguardFirst(id); ok {
				id = inner
			}
			b.set("key", "tostring("+id+")")
			// Update Row keeps the other columns: merge the row the id
			// was read with when it is at hand.
			if i := strings.LastIndex(id, "."); i > 0 && strings.HasSuffix(id[:i], ".rows[0]") && strings.HasPrefix(id, "card.") {
				b.set("row", "merge("+id[:i]+", "+object(keys, vals)+")")
				return true
			}
			b.set("row", object(keys, vals))
			fc.notes[m.UUID] = "table.put replaces the whole row: merge the row read before (merge(card.<read>.row, {...})) if other columns must keep their values."
			return true
		},
	},
	"deleteRow": {
		action: "table.delete",
		inputs: map[string]string{"Delete By/Row ID": "-"},
		build: func(fc *flowConv, m *Method, b *block) bool {
			id, _, ok := fc.inputByKey(m, "Delete By", "Row ID")
			if fc.table(m, b) == nil || !ok {
				return false
			}
			b.set("key", "tostring("+id+")")
			return true
		},
	},
	"readRow": {
		action:   "table.get",
		inputs:   map[string]string{"Read By/Row ID": "-"},
		outputs:  map[string]string{"Row ID": ".row"},
		prefixes: map[string]string{"Fields": ".row"},
		build: func(fc *flowConv, m *Method, b *block) bool {
			id, _, ok := fc.inputByKey(m, "Read By", "Row ID")
			if fc.table(m, b) == nil || !ok {
				return false
			}
			b.set("key", "tostring("+id+")")
			return true
		},
	},
	"clearTable": {
		action:  "table.clear",
		outputs: map[string]string{"Cleared Rows": ".deleted"},
		build: func(fc *flowConv, m *Method, b *block) bool {
			return fc.table(m, b) != nil
		},
	},
	"searchRows2": {
		action: "table.search",
		inputs: map[string]string{"Where Expression": "-", "Direction": "-", "Column": "-", "Offset": "-", "parameters/resultSet": "-", "Limit": "limit"},
		built:  map[string]bool{"_expr": true},
		outputs: map[string]string{
			"Result/Rows": ".rows", "Records Found": ".count", "Row/Created": "__null", "Row/Updated": "__null",
		},
		prefixes: map[string]string{"Fields": ".rows[0]"},
		build:    searchRows,
		note:     "the rows come in key order: sorting and offsets are not carried over.",
	},
}

// table sets the card's table argument from its stash parameter.
func (fc *flowConv) table(m *Method, b *block) *tableOut {
	for _, f := range m.Inputs {
		if f.Group == "parameters" && f.Key == "stash" {
			id, _ := f.Data.(string)
			if t := fc.im.tables[id]; t != nil {
				b.set("table", "table."+t.name)
				return t
			}
		}
	}
	return nil
}

// groupObject returns the inputs of a group as object keys and values.
func (fc *flowConv) groupObject(m *Method, group string) ([]string, map[string]string) {
	var keys []string
	vals := map[string]string{}
	for _, f := range m.Inputs {
		if f.Group != group {
			continue
		}
		if e, ok := fc.input(m, f); ok {
			keys = append(keys, f.Key)
			vals[f.Key] = e
		}
	}
	return keys, vals
}

func keyOf(t *tableOut, vals map[string]string) string {
	if e, ok := vals[t.key]; ok {
		return e
	}
	return `""`
}

var whereOps = map[string]string{"=": "==", "==": "==", "!=": "!=", "<>": "!=", ">": ">", "<": "<", ">=": ">=", "<=": "<="}

// searchRows converts Search Rows' where expression into table.search's
// expr-lang where, with the values of other cards inserted as JSON.
func searchRows(fc *flowConv, m *Method, b *block) bool {
	t := fc.table(m, b)
	if t == nil {
		return false
	}
	// Search Rows' row id is the key column of the first row.
	for _, o := range m.Outputs {
		if o.Group == "Row" && o.Key == "Row ID" {
			fc.setOutput(m, o, guardFirst(attrPath("card."+b.label+".rows[0]", t.key)))
		}
	}
	var where *Field
	for _, f := range m.Inputs {
		if f.Key == "Where Expression" {
			where = f
		}
	}
	if where == nil {
		return true
	}
	obj, _ := where.Data.(map[string]any)
	clauses, _ := obj["expr"].([]any)
	var parts []string
	for i, c := range clauses {
		cl, _ := c.(map[string]any)
		lhs, _ := cl["lhs"].(string)
		op := whereOps[fmt.Sprint(cl["op"])]
		if lhs == "" || op == "" {
			return false
		}
		rhs := ""
		switch r := cl["rhd"].(type) {
		case map[string]any:
			src := fmt.Sprintf("%v/%v", r["methodId"], r["outputId"])
			fc.reads[fmt.Sprint(r["methodId"])] = true
			e, ok := fc.exprs[src]
			if !ok {
				return false
			}
			rhs = "${jsonencode(" + e + ")}"
		default:
			v, ok := exprLangLiteral(cl["rhs"])
			if !ok {
				return false
			}
			rhs = escapeTemplate(v)
		}
		part := fmt.Sprintf("row[%s] %s %s", escapeTemplate(fmt.Sprintf("%q", lhs)), op, rhs)
		if i > 0 {
			join := "&&"
			if strings.EqualFold(fmt.Sprint(cl["join"]), "OR") {
				join = "||"
			}
			part = join + " " + part
		}
		parts = append(parts, part)
	}
	if len(parts) > 0 {
		b.set("where", `"`+strings.Join(parts, " ")+`"`)
	}
	return true
}
