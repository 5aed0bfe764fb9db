package plan

import (
	"fmt"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// actionChecks are the static checks of function cards whose inputs the
// engine can type beyond their schema: table rows against the table's
// columns, and the expr-lang of table.search and list.filter/map against
// the rows and items they will see. in is the card's evaluated input.
func (c *compiler) actionChecks(decl *config.Card, in cty.Value) hcl.Diagnostics {
	if !in.Type().IsObjectType() {
		return nil
	}
	switch decl.Action {
	case "table.put":
		if t := c.tableOf(in); t != nil {
			return checkRow(t, decl.Inputs["row"], in.GetAttr("row"))
		}
	case "table.search":
		if t := c.tableOf(in); t != nil {
			env := map[string]cty.Type{"row": t.RowType(), "key": cty.String}
			return c.checkExprArg(decl, "where", env, true, "The where argument is an expr-lang condition over row and key that returns true or false.")
		}
	case "list.filter":
		env := map[string]cty.Type{"item": itemType(in.GetAttr("items")), "index": cty.Number}
		return c.checkExprArg(decl, "where", env, true, "The where argument is an expr-lang condition over item and index that returns true or false.")
	case "list.map":
		env := map[string]cty.Type{"item": itemType(in.GetAttr("items")), "index": cty.Number}
		return c.checkExprArg(decl, "expr", env, false, "The expr argument is an expr-lang expression over item and index.")
	case "flow.wait":
		return checkWait(decl)
	}
	return nil
}

// checkWait checks that a flow.wait card says how long to wait one way:
// for a duration or until a time.
func checkWait(decl *config.Card) hcl.Diagnostics {
	forAttr, until := decl.Inputs["for"], decl.Inputs["until"]
	switch {
	case forAttr == nil && until == nil:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Missing wait time",
			Detail:   "A flow.wait card waits for a duration or until a time: add for = \"30s\" (or \"72h\", \"14d\") or until = an RFC 3339 timestamp such as \"2026-12-31T17:00:00Z\".",
			Subject:  decl.ActionRange.Ptr(),
		}}
	case forAttr != nil && until != nil:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Conflicting wait arguments",
			Detail:   "A flow.wait card waits for a duration or until a time, not both: remove for or until.",
			Subject:  until.NameRange.Ptr(),
		}}
	}
	return nil
}

// tableOf returns the table a table card names, or nil when it is not
// known statically (unknown tables are reported by the reference check).
func (c *compiler) tableOf(in cty.Value) *config.Table {
	v, _ := in.GetAttr("table").UnmarkDeep()
	if !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return nil
	}
	return c.gen.Config.Tables[v.AsString()]
}

// itemType is the element type of a list input, or any value.
func itemType(items cty.Value) cty.Type {
	ty := items.Type()
	if ty.IsListType() || ty.IsSetType() {
		return ty.ElementType()
	}
	return cty.DynamicPseudoType
}

func (c *compiler) checkExprArg(decl *config.Card, name string, env map[string]cty.Type, wantBool bool, about string) hcl.Diagnostics {
	attr, ok := decl.Inputs[name]
	if !ok {
		return nil
	}
	v, d := attr.Expr.Value(nil)
	if d.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return nil // not a literal: checked when it runs
	}
	return c.exprs.CheckExpr(v.AsString(), attr.Expr.Range(), env, wantBool, about)
}

// checkRow reports the attributes of a row object that are not columns of
// t or do not convert to the column's type. A row given as a map, or not
// yet known, is checked when the card runs.
func checkRow(t *config.Table, attr *hcl.Attribute, row cty.Value) hcl.Diagnostics {
	if attr == nil || !row.Type().IsObjectType() {
		return nil
	}
	atys := row.Type().AttributeTypes()
	names := connector.SortedKeys(atys)
	var diags hcl.Diagnostics
	for _, name := range names {
		col := t.Column(name)
		rng := rowItemRange(attr.Expr, name)
		switch {
		case col == nil:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown table column",
				Detail:   fmt.Sprintf("Table %q has no column %q.%s Its columns are declared in its table block.", t.Name, name, didyoumean.Hint(name, t.ColumnNames())),
				Subject:  rng.Ptr(),
			})
		case !atys[name].Equals(col.Type.Type) && convert.GetConversionUnsafe(atys[name], col.Type.Type) == nil:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Incorrect argument type",
				Detail:   fmt.Sprintf("Column %q of table %q holds %s, not %s.", name, t.Name, friendly(col.Type.Type), atys[name].FriendlyName()),
				Subject:  rng.Ptr(),
			})
		}
	}
	return diags
}

// rowItemRange narrows a diagnostic to the key of an object constructor's
// item, or returns the whole expression.
func rowItemRange(expr hcl.Expression, name string) hcl.Range {
	if oc, ok := expr.(*hclsyntax.ObjectConsExpr); ok {
		for _, item := range oc.Items {
			if hcl.ExprAsKeyword(item.KeyExpr) == name {
				return item.KeyExpr.Range()
			}
			if literalString(item.KeyExpr) == name {
				return item.KeyExpr.Range()
			}
		}
	}
	return expr.Range()
}
