package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// CheckLogicalOperands reports the mistakes in operands of && and || that
// HCL did not evaluate. When both sides are unknown, as everything that
// depends on a card is during validate, HCL short-circuits left to right
// and drops the right side's diagnostics:
// `card.a.changed && card.b.stauts == "ACTIVE"` would pass. Each right
// operand is evaluated on its own here, over TypesOnly(ctx): a right
// operand that its left one guards against a value
// (`length(var.groups) > 0 && var.groups[0] == "x"`) is not an error.
// Operands that use names ctx does not define (a for expression's
// iteration variables) are left to CheckForBodies. Call it only after
// expr evaluated without errors in ctx.
func CheckLogicalOperands(expr hcl.Expression, ctx *hcl.EvalContext) hcl.Diagnostics {
	se, ok := expr.(hclsyntax.Expression)
	if !ok {
		return nil
	}
	var diags hcl.Diagnostics
	var types *hcl.EvalContext
	seen := map[hcl.Range]bool{}
	hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
		bin, ok := n.(*hclsyntax.BinaryOpExpr)
		if !ok || (bin.Op != hclsyntax.OpLogicalAnd && bin.Op != hclsyntax.OpLogicalOr) || !definesAll(ctx, bin.RHS) {
			return nil
		}
		if types == nil {
			types = TypesOnly(ctx)
		}
		_, d := bin.RHS.Value(types)
		for _, diag := range d {
			if diag.Severity != hcl.DiagError || diag.Subject == nil || seen[*diag.Subject] {
				continue
			}
			seen[*diag.Subject] = true
			diags = append(diags, diag)
		}
		return nil
	})
	return diags
}

// definesAll reports whether every variable expr refers to is defined in
// ctx or a parent of it.
func definesAll(ctx *hcl.EvalContext, expr hcl.Expression) bool {
	for _, tr := range expr.Variables() {
		found := false
		for c := ctx; c != nil && !found; c = c.Parent() {
			_, found = c.Variables[tr.RootName()]
		}
		if !found {
			return false
		}
	}
	return true
}

// CheckUnevaluated is CheckForBodies, CheckLogicalOperands and
// CheckConditionalBranches: the parts of an expression that evaluating it
// over unknown values skipped. Call it only after expr evaluated without
// errors in ctx.
func CheckUnevaluated(expr hcl.Expression, ctx *hcl.EvalContext) hcl.Diagnostics {
	diags := CheckForBodies(expr, ctx)
	diags = append(diags, CheckLogicalOperands(expr, ctx)...)
	diags = append(diags, CheckConditionalBranches(expr, ctx)...)
	return Dedupe(diags)
}
