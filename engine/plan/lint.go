package plan

import (
	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// lint runs a connector's Lint over the evaluated arguments in of a card
// or trigger block and turns its findings into warnings, each pointing at
// the map key or list element it is about when the block spells it out,
// at the argument otherwise, and at the block (def) when the argument is
// not written (a default).
func lint(fn func(cty.Value) []connector.Finding, in cty.Value, attrs hcl.Attributes, def hcl.Range) hcl.Diagnostics {
	if fn == nil || in.IsNull() || !in.IsKnown() {
		return nil
	}
	plain, _ := in.UnmarkDeep()
	var diags hcl.Diagnostics
	for _, f := range fn(plain) {
		subject := def
		if a, ok := attrs[f.Arg]; ok {
			subject = a.Expr.Range()
			if f.Key != "" {
				subject = itemRange(a.Expr, f.Key)
			}
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  f.Summary,
			Detail:   f.Detail,
			Subject:  subject.Ptr(),
		})
	}
	return diags
}

// itemRange narrows a range to the key of an object constructor's item or
// the element of a tuple constructor that spells key, or returns the whole
// expression's.
func itemRange(expr hcl.Expression, key string) hcl.Range {
	if tc, ok := expr.(*hclsyntax.TupleConsExpr); ok {
		for _, e := range tc.Exprs {
			if literalString(e) == key {
				return e.Range()
			}
		}
		return expr.Range()
	}
	return rowItemRange(expr, key)
}

// literalString is the value of an expression that is a literal string, or "".
func literalString(expr hcl.Expression) string {
	v, d := expr.Value(nil)
	if d.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// lintComparisons runs the trigger's LintCompare over the comparisons of
// the trigger value with literal strings in the flow's filter and its
// cards' if predicates, and turns its findings into warnings that point
// at the predicate.
func lintComparisons(decl *config.Flow, t *Trigger) hcl.Diagnostics {
	if t == nil || t.Spec.LintCompare == nil || !t.Config.IsWhollyKnown() {
		return nil
	}
	cfg, _ := t.Config.UnmarkDeep()
	var attrs []string
	if t.Output.IsObjectType() {
		for name := range t.Output.AttributeTypes() {
			attrs = append(attrs, name)
		}
	}
	var diags hcl.Diagnostics
	check := func(src string, rng hcl.Range) {
		for _, cmp := range lang.PredicateComparisons(src, attrs) {
			if f, ok := t.Spec.LintCompare(cfg, cmp.Path, cmp.Literal); ok {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: f.Summary, Detail: f.Detail, Subject: rng.Ptr()})
			}
		}
	}
	if decl.Trigger.Filter != "" {
		check(decl.Trigger.Filter, decl.Trigger.FilterRange)
	}
	for _, cd := range decl.Cards {
		if cd.If != "" {
			check(cd.If, cd.IfRange)
		}
	}
	return diags
}
