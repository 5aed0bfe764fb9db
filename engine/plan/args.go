package plan

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// convertArg converts v to the argument's type and runs its static check.
func convertArg(a connector.Attribute, expr hcl.Expression, v cty.Value) (cty.Value, hcl.Diagnostics) {
	conv, err := convert.Convert(v, a.Type)
	if err != nil {
		return cty.UnknownVal(a.Type), hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Incorrect argument type",
			Detail:   fmt.Sprintf("The argument %q must be %s: %s.", a.Name, friendly(a.Type), err),
			Subject:  expr.Range().Ptr(),
		}}
	}
	if a.Check != nil && conv.IsWhollyKnown() && !conv.IsNull() {
		plain, _ := conv.UnmarkDeep()
		if err := a.Check(plain); err != nil {
			return conv, checkDiags(a, expr, err)
		}
	}
	if a.Required && conv.IsKnown() && conv.IsNull() {
		return conv, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Missing required argument",
			Detail:   fmt.Sprintf("The argument %q is required, but its value is null.", a.Name),
			Subject:  expr.Range().Ptr(),
		}}
	}
	return conv, nil
}

// checkDiags turns the error of a's Check into diagnostics: one per error
// of an errors.Join, each pointing at the element or key an
// *connector.ItemError names when the expression spells it out.
func checkDiags(a connector.Attribute, expr hcl.Expression, err error) hcl.Diagnostics {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var diags hcl.Diagnostics
	for _, e := range errs {
		subject := expr.Range()
		var ie *connector.ItemError
		if errors.As(e, &ie) {
			subject = itemRange(expr, ie.Key)
			if tc, ok := expr.(*hclsyntax.TupleConsExpr); ok && ie.Index > 0 && ie.Index <= len(tc.Exprs) {
				subject = tc.Exprs[ie.Index-1].Range()
			}
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid argument value",
			Detail:   fmt.Sprintf("The argument %q is not valid: %s", a.Name, sentence(e.Error())),
			Subject:  subject.Ptr(),
		})
	}
	return diags
}

// sentence ends s with a period unless it already ends a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}

func friendly(ty cty.Type) string {
	if ty == cty.DynamicPseudoType {
		return "any value"
	}
	name := ty.FriendlyNameForConstraint()
	switch name {
	case "string", "number", "bool":
		return "a " + name
	}
	return name
}

// ParseDuration parses Go durations plus a "d" suffix for days.
func ParseDuration(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		var n int
		if _, err := fmt.Sscanf(s, "%dd", &n); err == nil && fmt.Sprintf("%dd", n) == s {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as \"30s\", \"5m\" or \"1h\"", s)
	}
	return d, nil
}

// evalDuration evaluates an optional duration expression with a minimum.
func evalDuration(expr hcl.Expression, scope *lang.Scope, what string, min time.Duration) (time.Duration, hcl.Diagnostics) {
	if expr == nil {
		return 0, nil
	}
	v, diags := expr.Value(scope.EvalContext())
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() {
		return 0, diags
	}
	v, _ = v.Unmark()
	if v.Type() != cty.String {
		return 0, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid duration",
			Detail:   fmt.Sprintf("The %s is a duration string such as \"30s\" or \"5m\", not %s.", what, v.Type().FriendlyName()),
			Subject:  expr.Range().Ptr(),
		}}
	}
	d, err := ParseDuration(v.AsString())
	if err == nil && d < min {
		err = fmt.Errorf("%s is below the minimum of %s", v.AsString(), min)
	}
	if err != nil {
		return 0, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid duration",
			Detail:   fmt.Sprintf("The %s is not valid: %s.", what, err),
			Subject:  expr.Range().Ptr(),
		}}
	}
	return d, nil
}

// evalInt evaluates an optional whole-number expression within [min, max].
func evalInt(expr hcl.Expression, scope *lang.Scope, what string, min, max int) (int, hcl.Diagnostics) {
	if expr == nil {
		return 0, nil
	}
	v, diags := expr.Value(scope.EvalContext())
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() {
		return 0, diags
	}
	v, _ = v.Unmark()
	nv, err := convert.Convert(v, cty.Number)
	var n int64
	if err == nil {
		bf := nv.AsBigFloat()
		n, _ = bf.Int64()
		if !bf.IsInt() {
			err = fmt.Errorf("%s is not a whole number", bf.Text('g', -1))
		}
	}
	if err == nil && (n < int64(min) || n > int64(max)) {
		err = fmt.Errorf("%d is outside %d..%d", n, min, max)
	}
	if err != nil {
		return 0, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid number",
			Detail:   fmt.Sprintf("The %s is not valid: %s.", what, err),
			Subject:  expr.Range().Ptr(),
		}}
	}
	return int(n), nil
}
