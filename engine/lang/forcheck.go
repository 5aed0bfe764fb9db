package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// CheckForBodies type-checks the bodies of the for expressions in expr.
// While validating, card outputs and the trigger are unknown values of a
// known type, and HCL does not evaluate a for expression's body over an
// unknown collection: `[for g in card.groups.groups : g.nmae]` would pass.
// CheckForBodies evaluates such bodies with the iteration variables bound
// to unknown values of the element type, so mistakes in them are reported.
// Call it only after expr evaluated without errors in ctx.
func CheckForBodies(expr hcl.Expression, ctx *hcl.EvalContext) hcl.Diagnostics {
	se, ok := expr.(hclsyntax.Expression)
	if !ok {
		return nil
	}
	var diags hcl.Diagnostics
	hclsyntax.VisitAll(se, func(n hclsyntax.Node) hcl.Diagnostics {
		fe, ok := n.(*hclsyntax.ForExpr)
		if ok {
			diags = append(diags, checkFor(fe, ctx)...)
		}
		return nil
	})
	return diags
}

// checkFor checks one for expression; VisitAll also reaches the for
// expressions nested in it, but those need this one's iteration variables,
// so checkFor handles its own body and CheckForBodies skips nothing: a
// nested body is evaluated only when its collection is unknown, which in
// the outer walk (without the variables) fails before reaching it. The
// operands and conditional results that evaluating the body skipped are
// checked with the iteration variables too, also over a known collection,
// whose body HCL evaluated element by element.
func checkFor(fe *hclsyntax.ForExpr, ctx *hcl.EvalContext) hcl.Diagnostics {
	coll, d := fe.CollExpr.Value(ctx)
	if d.HasErrors() {
		return nil
	}
	key, val := iterTypes(coll.Type())
	child := ctx.NewChild()
	child.Variables = map[string]cty.Value{fe.ValVar: cty.UnknownVal(val)}
	if fe.KeyVar != "" {
		child.Variables[fe.KeyVar] = cty.UnknownVal(key)
	}
	var diags hcl.Diagnostics
	for _, e := range []hclsyntax.Expression{fe.KeyExpr, fe.ValExpr, fe.CondExpr} {
		if e == nil {
			continue
		}
		if !coll.IsKnown() {
			_, d := e.Value(child)
			diags = append(diags, d...)
			if d.HasErrors() {
				continue
			}
			diags = append(diags, nestedFors(e, child)...)
		}
		diags = append(diags, CheckLogicalOperands(e, child)...)
		diags = append(diags, CheckConditionalBranches(e, child)...)
	}
	return diags
}

// nestedFors checks the for expressions directly inside e with ctx.
func nestedFors(e hclsyntax.Expression, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		if fe, ok := n.(*hclsyntax.ForExpr); ok {
			diags = append(diags, checkFor(fe, ctx)...)
		}
		return nil
	})
	return diags
}

// iterTypes returns the key and value types of iterating a collection.
func iterTypes(ty cty.Type) (key, val cty.Type) {
	switch {
	case ty.IsListType():
		return cty.Number, ty.ElementType()
	case ty.IsSetType():
		return ty.ElementType(), ty.ElementType()
	case ty.IsMapType():
		return cty.String, ty.ElementType()
	case ty.IsTupleType():
		return cty.Number, cty.DynamicPseudoType
	case ty.IsObjectType():
		return cty.String, cty.DynamicPseudoType
	}
	return cty.DynamicPseudoType, cty.DynamicPseudoType
}
