package flowtest

import (
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// typeContext is what asserts and expect_call arguments see at run time
// (outcome.evalContext), with every value unknown but typed: evaluating an
// expression in it finds misspelt attributes of cards, the trigger, calls
// and the execution, and unknown functions, without running anything.
// It is built once per run checked.
func (c *checker) typeContext() *hcl.EvalContext {
	if c.types == nil {
		c.types = c.newTypeContext()
	}
	return c.types
}

func (c *checker) newTypeContext() *hcl.EvalContext {
	cards := make(map[string]cty.Value, len(c.flow.Cards))
	for _, card := range c.flow.Cards {
		cards[card.Name] = cty.UnknownVal(card.Output)
	}
	trigger := cty.DynamicVal
	if c.flow.Trigger != nil && c.flow.Trigger.Spec != nil {
		trigger = cty.UnknownVal(c.flow.Trigger.Spec.Output)
	}
	// calls holds the inputs of every call by action; helper flows may call
	// any action, so every action of the registry is a key.
	calls := map[string]cty.Value{}
	for _, name := range c.gen.Registry.ActionNames() {
		if _, a, err := c.gen.Registry.Action(name); err == nil {
			calls[name] = cty.UnknownVal(cty.List(a.Input.ObjectType()))
		}
	}
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"var":       c.gen.Vars,
			"trigger":   trigger,
			"card":      cty.ObjectVal(cards),
			"calls":     cty.ObjectVal(calls),
			"execution": cty.UnknownVal(cty.Object(map[string]cty.Type{"status": cty.String, "error": cty.String})),
		},
		Functions: assertFunctions(c.gen.Funcs),
	}
}

// checkTypes evaluates expr in the typed context and returns its errors,
// with a did-you-mean for misspelt attributes, and the comparisons of an
// object with an object constructor whose attributes differ (always
// false, so the assert could never pass).
func (c *checker) checkTypes(expr hcl.Expression) hcl.Diagnostics {
	ectx := c.typeContext()
	_, diags := expr.Value(ectx)
	if !diags.HasErrors() {
		diags = append(diags, lang.CheckUnevaluated(expr, ectx)...)
	}
	diags = lang.ErrorsOnly(diags)
	lang.SuggestAttributes(diags)
	if diags.HasErrors() {
		return diags
	}
	if syn, ok := expr.(hclsyntax.Expression); ok {
		_ = hclsyntax.VisitAll(syn, func(n hclsyntax.Node) hcl.Diagnostics {
			if d := objectComparison(n, ectx); d != nil {
				diags = append(diags, d)
			}
			return nil
		})
	}
	return diags
}

// objectComparison reports a == or != between an object and an object
// constructor that do not have the same attributes.
func objectComparison(n hclsyntax.Node, ectx *hcl.EvalContext) *hcl.Diagnostic {
	bin, ok := n.(*hclsyntax.BinaryOpExpr)
	if !ok || (bin.Op != hclsyntax.OpEqual && bin.Op != hclsyntax.OpNotEqual) {
		return nil
	}
	lhs, _ := bin.LHS.Value(ectx)
	rhs, _ := bin.RHS.Value(ectx)
	if lhs == cty.NilVal || rhs == cty.NilVal || !lhs.Type().IsObjectType() || !rhs.Type().IsObjectType() {
		return nil
	}
	var cons hclsyntax.Expression = bin.RHS
	other := lhs.Type()
	if _, isCons := bin.LHS.(*hclsyntax.ObjectConsExpr); isCons {
		cons, other = bin.LHS, rhs.Type()
	}
	oc, isCons := cons.(*hclsyntax.ObjectConsExpr)
	if !isCons {
		return nil
	}
	for _, item := range oc.Items {
		name := hcl.ExprAsKeyword(item.KeyExpr)
		if name == "" || other.HasAttribute(name) {
			continue
		}
		names := make([]string, 0, len(other.AttributeTypes()))
		for k := range other.AttributeTypes() {
			names = append(names, k)
		}
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Comparison is always false",
			Detail: "The object it is compared with has no attribute \"" + name + "\", so the two are never equal." +
				didyoumean.Hint(name, names) + " Write the attributes the other side has.",
			Subject: item.KeyExpr.Range().Ptr(),
		}
	}
	return nil
}
