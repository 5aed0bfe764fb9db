package plan

import (
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

// lintComparisons runs the LintCompare of the trigger, and of the cards,
// over the comparisons of the trigger value and of card outputs with
// literal strings in the flow's filter and its cards' if predicates, and
// turns their findings into warnings that point at the predicate. A
// for_each card's output is a map of instances: the instance's key is
// left out of the path.
func lintComparisons(f *Flow) hcl.Diagnostics {
	decl, t := f.Decl, f.Trigger
	var attrs []string
	var cfg cty.Value
	if t != nil && t.Output.IsObjectType() {
		for name := range t.Output.AttributeTypes() {
			attrs = append(attrs, name)
		}
	}
	if t != nil && t.Config.IsWhollyKnown() {
		cfg, _ = t.Config.UnmarkDeep()
	}
	cards := make(map[string]*Card, len(f.Cards))
	for _, c := range f.Cards {
		cards[c.Name] = c
	}
	judge := func(cmp lang.Comparison) (connector.Finding, bool) {
		if cmp.Root == "trigger" {
			if t == nil || t.Spec.LintCompare == nil || cfg == cty.NilVal {
				return connector.Finding{}, false
			}
			return t.Spec.LintCompare(cfg, cmp.Path, cmp.Literal)
		}
		c := cards[cmp.Path[0]]
		if c == nil || c.Action == nil || c.Action.LintCompare == nil {
			return connector.Finding{}, false
		}
		path := cmp.Path[1:]
		if c.ForEach != nil {
			if len(path) == 0 {
				return connector.Finding{}, false
			}
			path = path[1:]
		}
		in := cty.DynamicVal
		if len(c.Static) > 0 {
			in, _ = c.Static[0].In.UnmarkDeep()
		}
		return c.Action.LintCompare(in, path, cmp.Literal)
	}
	var diags hcl.Diagnostics
	check := func(src string, rng hcl.Range) {
		for _, cmp := range lang.PredicateComparisons(src, attrs) {
			if fd, ok := judge(cmp); ok {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: fd.Summary, Detail: fd.Detail, Subject: rng.Ptr()})
			}
		}
	}
	if decl.Trigger != nil && decl.Trigger.Filter != "" {
		check(decl.Trigger.Filter, decl.Trigger.FilterRange)
	}
	for _, cd := range decl.Cards {
		if cd.If != "" {
			check(cd.If, cd.IfRange)
		}
	}
	return diags
}
