package plan

import (
	"fmt"
	"time"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

func (c *compiler) card(flow *config.Flow, index int, decl *config.Card, flowScope *lang.Scope) (*Card, hcl.Diagnostics) {
	card := &Card{
		Name: decl.Name, Index: index, Decl: decl,
		Action: decl.Spec, Connector: decl.Connector, Connection: decl.Connection,
		ForEach: decl.ForEach, OnError: decl.OnError, Inputs: decl.Inputs,
		Retry: DefaultRetry, Output: cty.DynamicPseudoType,
	}
	var diags hcl.Diagnostics
	refs := func(expr hcl.Expression) hcl.Diagnostics {
		return c.cardRefs(flow, index, decl, expr)
	}
	scope := *flowScope
	var collection cty.Value // the for_each's, when it is known statically
	if decl.ForEach != nil {
		each, coll, d := c.forEach(decl.ForEach, &scope, refs)
		diags = append(diags, d...)
		scope.Each, collection = each, coll
	}
	static := c.staticScope()
	var d hcl.Diagnostics
	card.Timeout, d = evalDuration(c.staticExpr(decl.Timeout, &diags), static, "card timeout", time.Millisecond)
	diags = append(diags, d...)
	card.Concurrency, d = evalInt(c.staticExpr(decl.Concurrency, &diags), static, "for_each concurrency", 1, 1000)
	diags = append(diags, d...)
	if decl.Retry != nil {
		r := *decl.Retry
		r.Attempts, r.Backoff, r.MaxBackoff = c.staticExpr(r.Attempts, &diags), c.staticExpr(r.Backoff, &diags), c.staticExpr(r.MaxBackoff, &diags)
		card.Retry, d = retryPolicy(&r, static)
		diags = append(diags, d...)
	}
	if decl.Spec == nil {
		for _, a := range decl.Inputs {
			diags = append(diags, refs(a.Expr)...)
		}
		return card, diags
	}
	in, d := c.evalArgs(decl.Spec.Input, decl.Inputs, &scope, refs)
	diags = append(diags, d...)
	if !d.HasErrors() {
		diags = append(diags, c.actionChecks(decl, in)...)
		diags = append(diags, lint(decl.Spec.Lint, in, decl.Inputs, decl.ActionRange)...)
		card.Static = c.staticInputs(decl, in, scope, collection)
	}
	if decl.If != "" {
		d := predicateRefs(flow, index, decl)
		diags = append(diags, d...)
		if !d.HasErrors() {
			p, d := c.exprs.CompilePredicate(decl.If, decl.IfRange, lang.Types(scope.PredicateEnv()))
			diags = append(diags, d...)
			card.If = p
		}
	}
	card.Output = c.outputType(decl)
	if decl.OnError.Mode == config.Continue && card.Output.IsObjectType() {
		atys := card.Output.AttributeTypes()
		withErr := make(map[string]cty.Type, len(atys)+1)
		for k, v := range atys {
			withErr[k] = v
		}
		withErr["error"] = ErrorType
		card.Output = cty.Object(withErr)
	}
	if decl.ForEach != nil {
		card.Output = cty.Map(card.Output)
	}
	return card, diags
}

// outputType refines dynamic outputs the engine knows more about: table
// cards return rows of the table they name.
func (c *compiler) outputType(decl *config.Card) cty.Type {
	out := decl.Spec.Output
	if decl.Connector.Name != "table" || !out.IsObjectType() {
		return out
	}
	attr, ok := decl.Inputs["table"]
	if !ok {
		return out
	}
	v, d := attr.Expr.Value(c.staticScope().EvalContext())
	v, _ = v.UnmarkDeep()
	if d.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return out
	}
	t, ok := c.gen.Config.Tables[v.AsString()]
	if !ok {
		return out
	}
	atys := out.AttributeTypes()
	refined := make(map[string]cty.Type, len(atys))
	for name, ty := range atys {
		switch {
		case name == "row" && ty == cty.DynamicPseudoType:
			ty = t.RowType()
		case name == "rows" && ty == cty.DynamicPseudoType:
			ty = cty.List(t.RowType())
		}
		refined[name] = ty
	}
	return cty.Object(refined)
}

// forEach types each.key and each.value of a for_each card, and returns the
// collection when it is known before the card runs (cty.NilVal if not).
func (c *compiler) forEach(expr hcl.Expression, scope *lang.Scope, refs func(hcl.Expression) hcl.Diagnostics) (*lang.Each, cty.Value, hcl.Diagnostics) {
	each := &lang.Each{Key: cty.UnknownVal(cty.String), Value: cty.DynamicVal}
	diags := refs(expr)
	if diags.HasErrors() {
		return each, cty.NilVal, diags
	}
	ctx := scope.EvalContext()
	v, d := expr.Value(ctx)
	if !d.HasErrors() {
		d = append(d, lang.CheckUnevaluated(expr, ctx)...)
	}
	diags = append(diags, d...)
	if d.HasErrors() {
		return each, cty.NilVal, diags
	}
	known := cty.NilVal
	if v.IsKnown() && !v.IsNull() {
		known = v
	}
	ty := v.Type()
	switch {
	case ty.IsListType() || ty.IsSetType() || ty.IsMapType():
		each.Value = cty.UnknownVal(ty.ElementType())
	case ty.IsTupleType() || ty.IsObjectType() || ty == cty.DynamicPseudoType:
	default:
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid for_each",
			Detail:   fmt.Sprintf("The for_each argument takes a list, set or map; this is %s.", ty.FriendlyName()),
			Subject:  expr.Range().Ptr(),
		})
	}
	return each, known, diags
}

// maxStaticElements bounds the for_each elements whose inputs are worked
// out before the card runs.
const maxStaticElements = 100

// staticInputs returns the card's inputs known before it runs: in, or, for
// a for_each whose collection is known, the inputs of each of its
// instances (lang.EachItems, as the card's run makes them).
func (c *compiler) staticInputs(decl *config.Card, in cty.Value, scope lang.Scope, collection cty.Value) []StaticInput {
	if decl.ForEach == nil {
		return []StaticInput{{In: in}}
	}
	if collection == cty.NilVal || !collection.IsWhollyKnown() || !collection.CanIterateElements() || collection.LengthInt() > maxStaticElements {
		return nil
	}
	items, err := lang.EachItems(collection)
	if err != nil {
		return nil
	}
	var out []StaticInput
	for _, each := range items {
		s := scope
		s.Each = each
		elemIn, d := c.evalArgs(decl.Spec.Input, decl.Inputs, &s, nil)
		if !d.HasErrors() {
			out = append(out, StaticInput{In: elemIn, Each: each})
		}
	}
	return out
}

// cardRefs checks the references of one of a card's expressions.
func (c *compiler) cardRefs(flow *config.Flow, index int, decl *config.Card, expr hcl.Expression) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, tr := range expr.Variables() {
		switch tr.RootName() {
		case "var":
			diags = append(diags, c.checkVarRef(tr)...)
		case "table", "flow":
			diags = append(diags, c.checkNamedRef(tr)...)
		case "trigger":
		case "each":
			if decl.ForEach == nil {
				diags = append(diags, eachOutsideForEach(tr.SourceRange()))
			} else if name, rng, ok := attrStep(tr, 1); !ok || (name != "key" && name != "value") {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid reference",
					Detail:   "The each object has two attributes: each.key and each.value.",
					Subject:  rng.Ptr(),
				})
			}
		case "card":
			diags = append(diags, cardRef(flow, index, tr)...)
		case "connection":
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid reference",
				Detail:   "A connection is set with the card's connection argument, not used as a value.",
				Subject:  tr.SourceRange().Ptr(),
			})
		default:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown reference",
				Detail: fmt.Sprintf("%q is not something a card can refer to: use trigger.*, card.<name>.*, var.*, each.*, table.<name> or flow.<name>.%s",
					tr.RootName(), didyoumean.Hint(tr.RootName(), []string{"trigger", "card", "var", "each", "table", "flow"})),
				Subject: tr[0].SourceRange().Ptr(),
			})
		}
	}
	return diags
}

// predicateRefs checks the card and each references of a card's `if` with
// the diagnostics of HCL references: the predicate's type check alone would
// call a later card an unknown field.
func predicateRefs(flow *config.Flow, index int, decl *config.Card) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, ref := range lang.PredicateRefs(decl.If, decl.IfRange) {
		switch {
		case ref.Root == "card":
			diags = append(diags, cardRefByName(flow, index, ref.Name, ref.Range)...)
		case decl.ForEach == nil:
			diags = append(diags, eachOutsideForEach(ref.Range))
		}
	}
	return diags
}

func eachOutsideForEach(rng hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Reference to each outside for_each",
		Detail:   "each.key and each.value exist only in cards with a for_each argument: add for_each, or refer to something else.",
		Subject:  rng.Ptr(),
	}
}

func cardRef(flow *config.Flow, index int, tr hcl.Traversal) hcl.Diagnostics {
	name, rng, ok := attrStep(tr, 1)
	if !ok {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid reference", Detail: "A card is referenced as card.<name>.", Subject: tr.SourceRange().Ptr()}}
	}
	return cardRefByName(flow, index, name, rng)
}

func cardRefByName(flow *config.Flow, index int, name string, rng hcl.Range) hcl.Diagnostics {
	at := flow.CardIndex(name)
	switch {
	case at < 0:
		var names []string
		for _, c := range flow.Cards {
			names = append(names, c.Name)
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unknown card",
			Detail:   fmt.Sprintf("Flow %q has no card %q.%s", flow.Name, name, didyoumean.Hint(name, names)),
			Subject:  rng.Ptr(),
		}}
	case at == index:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Self-referential card",
			Detail:   fmt.Sprintf("Card %q refers to its own output, which does not exist until it has run.", name),
			Subject:  rng.Ptr(),
		}}
	case at > index:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Reference to a later card",
			Detail:   fmt.Sprintf("Cards run in the order they are written, and card %q runs after this one. Move it above, or refer to an earlier card.", name),
			Subject:  rng.Ptr(),
		}}
	}
	return nil
}

func retryPolicy(r *config.Retry, scope *lang.Scope) (RetryPolicy, hcl.Diagnostics) {
	p := DefaultRetry
	var diags, d hcl.Diagnostics
	if r.Attempts != nil {
		p.Attempts, d = evalInt(r.Attempts, scope, "retry attempts", 1, 100)
		diags = append(diags, d...)
	}
	if r.Backoff != nil {
		p.Backoff, d = evalDuration(r.Backoff, scope, "retry backoff", time.Millisecond)
		diags = append(diags, d...)
	}
	if r.MaxBackoff != nil {
		p.MaxBackoff, d = evalDuration(r.MaxBackoff, scope, "retry max_backoff", time.Millisecond)
		diags = append(diags, d...)
	}
	if !diags.HasErrors() && p.MaxBackoff < p.Backoff {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid retry policy",
			Detail:   fmt.Sprintf("max_backoff (%s) is shorter than backoff (%s).", p.MaxBackoff, p.Backoff),
			Subject:  r.DeclRange.Ptr(),
		})
	}
	return p, diags
}

// ErrorType is the type of the error attribute that cards with
// on_error = continue add to their output: null when the card succeeded.
var ErrorType = cty.Object(map[string]cty.Type{
	"kind":    cty.String,
	"message": cty.String,
	"status":  cty.Number,
	"code":    cty.String,
})
