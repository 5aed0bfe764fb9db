package flowtest

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// tableRows evaluates a table block's rows into row values by key.
func tableRows(gen *plan.Generation, tb *config.TestTable) (map[string]cty.Value, hcl.Diagnostics) {
	decl, ok := gen.Config.Tables[tb.Name]
	if !ok {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unknown table",
			Detail:   fmt.Sprintf("There is no table %q.%s", tb.Name, didyoumean.Hint(tb.Name, connector.SortedKeys(gen.Config.Tables))),
			Subject:  tb.NameRange.Ptr(),
		}}
	}
	if tb.Rows == nil {
		return nil, nil
	}
	v, diags := tb.Rows.Value(staticContext(gen))
	if diags.HasErrors() {
		return nil, diags
	}
	if v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid rows", Detail: "rows is an object of rows by key: { \"00u1\" = { user_id = \"00u1\", … } }.", Subject: tb.Rows.Range().Ptr()}}
	}
	rows := map[string]cty.Value{}
	ty := decl.RowType()
	for it := v.ElementIterator(); it.Next(); {
		k, row := it.Element()
		d := typeFitKnown(row, ty, "table row", "table "+tb.Name, tb.Rows.Range())
		diags = append(diags, d...)
		if d.HasErrors() || !row.IsWhollyKnown() {
			continue
		}
		rv, err := conformValue(row, ty)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid table row", Detail: fmt.Sprintf("Row %q does not fit table %s: %v.", k.AsString(), tb.Name, err), Subject: tb.Rows.Range().Ptr()})
			continue
		}
		rows[k.AsString()] = rv
	}
	return rows, diags
}

// evalCount evaluates a whole-number argument; def when absent.
func evalCount(expr hcl.Expression, what string, def int) (int, hcl.Diagnostics) {
	if expr == nil {
		return def, nil
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		return def, diags
	}
	bad := hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid " + what, Detail: what + " is a whole number.", Subject: expr.Range().Ptr()}}
	if v.IsNull() || !v.IsKnown() {
		return def, bad
	}
	nv, err := convert.Convert(v, cty.Number)
	if err != nil {
		return def, bad
	}
	bf := nv.AsBigFloat()
	if !bf.IsInt() || bf.Sign() < 0 || bf.Cmp(big.NewFloat(1e6)) > 0 {
		return def, bad
	}
	n, _ := bf.Int64()
	if what == "repeat" && n < 1 {
		return def, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid repeat", Detail: "repeat is how many times the event is delivered, at least 1.", Subject: expr.Range().Ptr()}}
	}
	return int(n), nil
}

func conformVar(v cty.Value, decl *config.Variable) (cty.Value, error) {
	return convert.Convert(v, decl.Type.Type)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
