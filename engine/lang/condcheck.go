package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// CheckConditionalBranches type-checks both results of the conditional
// expressions in expr. HCL keeps the diagnostics of the result its
// condition picks and drops the other's; when the condition is unknown, as
// anything that depends on the trigger or a card is during validate, it
// drops both: `trigger.event.uuid != "" ? trigger.event.nmae : ""` would
// pass. Both results are evaluated here over TypesOnly(ctx), so a mistake
// in either is reported whatever the condition turns out to be, and a
// result that the condition guards against a value (`length(var.groups) >
// 0 ? var.groups[0] : ""`) is not. Results that use names ctx does not
// define (a for expression's iteration variables) are left to
// CheckForBodies. Call it only after expr evaluated without errors in ctx.
func CheckConditionalBranches(expr hcl.Expression, ctx *hcl.EvalContext) hcl.Diagnostics {
	se, ok := expr.(hclsyntax.Expression)
	if !ok {
		return nil
	}
	var diags hcl.Diagnostics
	var types *hcl.EvalContext
	hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
		cond, ok := n.(*hclsyntax.ConditionalExpr)
		if !ok {
			return nil
		}
		for _, result := range []hclsyntax.Expression{cond.TrueResult, cond.FalseResult} {
			if !definesAll(ctx, result) {
				continue
			}
			if types == nil {
				types = TypesOnly(ctx)
			}
			_, d := result.Value(types)
			diags = append(diags, ErrorsOnly(d)...)
		}
		return nil
	})
	return diags
}

// TypesOnly returns a context with the variables of ctx (and its parents)
// replaced by unknown values of the same types. An expression evaluated in
// it reports the mistakes that hold whatever the values are (an attribute
// the type does not have, an operand of the wrong type) and none that
// depend on a value (an index beyond the end of a list that is empty
// today).
func TypesOnly(ctx *hcl.EvalContext) *hcl.EvalContext {
	var chain []*hcl.EvalContext
	for c := ctx; c != nil; c = c.Parent() {
		chain = append(chain, c)
	}
	vars := map[string]cty.Value{}
	for i := len(chain) - 1; i >= 0; i-- { // nearer scopes win
		for name, v := range chain[i].Variables {
			_, marks := v.Unmark()
			vars[name] = cty.UnknownVal(v.Type()).WithMarks(marks)
		}
	}
	types := ctx.NewChild()
	types.Variables = vars
	return types
}

// ErrorsOnly returns the errors of diags, without the warnings.
func ErrorsOnly(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			out = append(out, d)
		}
	}
	return out
}

// Dedupe drops diagnostics that repeat an earlier one's summary at the
// same place: the checks of CheckUnevaluated overlap where conditionals,
// logical operators and for expressions nest, and HCL reports a null
// attribute access once per use in an expression.
func Dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	type key struct {
		summary string
		subject hcl.Range
	}
	seen := map[key]bool{}
	var out hcl.Diagnostics
	for _, d := range diags {
		var k key
		k.summary = d.Summary
		if d.Subject != nil {
			k.subject = *d.Subject
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}
