package config

import (
	"fmt"
	"sort"

	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/zclconf/go-cty/cty"
)

var tableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "columns", Required: true},
		{Name: "key", Required: true},
		{Name: "description"},
	},
}

func decodeTable(b *hcl.Block) (*Table, hcl.Diagnostics) {
	t := &Table{Name: b.Labels[0], DeclRange: b.DefRange}
	diags := checkName("table", t.Name, b.LabelRanges[0])
	content, d := b.Body.Content(tableSchema)
	diags = append(diags, d...)
	if a, ok := content.Attributes["columns"]; ok {
		pairs, d := hcl.ExprMap(a.Expr)
		diags = append(diags, d...)
		for _, p := range pairs {
			name := hcl.ExprAsKeyword(p.Key)
			if name == "" {
				var s string
				if dd := gohcl.DecodeExpression(p.Key, nil, &s); dd.HasErrors() {
					diags = append(diags, dd...)
					continue
				}
				name = s
			}
			tc, d := decodeType(p.Value)
			diags = append(diags, d...)
			if !tc.Type.IsPrimitiveType() && !d.HasErrors() {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid column type",
					Detail:   "Table columns hold string, number or bool values.",
					Subject:  p.Value.Range().Ptr(),
				})
			}
			t.Columns = append(t.Columns, Column{Name: name, Type: tc, Range: p.Key.Range()})
		}
		sort.SliceStable(t.Columns, func(i, j int) bool { return t.Columns[i].Name < t.Columns[j].Name })
	}
	if a, ok := content.Attributes["key"]; ok {
		diags = append(diags, gohcl.DecodeExpression(a.Expr, nil, &t.Key)...)
		if t.Key != "" && t.Column(t.Key) == nil && content.Attributes["columns"] != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown key column",
				Detail:   fmt.Sprintf("The key %q is not one of the table's columns.%s", t.Key, didyoumean.Hint(t.Key, t.ColumnNames())),
				Subject:  a.Expr.Range().Ptr(),
			})
		}
	}
	return t, diags
}

// Column returns the column called name, or nil.
func (t *Table) Column(name string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// ColumnNames returns the column names in order.
func (t *Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// RowType is the object type of one row.
func (t *Table) RowType() cty.Type {
	atys := make(map[string]cty.Type, len(t.Columns))
	for _, c := range t.Columns {
		atys[c.Name] = c.Type.Type
	}
	return cty.Object(atys)
}
