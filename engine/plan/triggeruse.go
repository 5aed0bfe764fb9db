package plan

import (
	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// triggerUse returns the parts of the trigger value that the expressions
// of decl, the flow of trigger t, read when it runs: the HCL expressions of
// its cards (arguments, for_each, timeouts, retries) and the expr-lang
// predicates (the cards' if, the trigger's filter). nil is the whole
// value: a reference to all of trigger, or a predicate that cannot be
// analysed. The runtime decodes only these parts of each event.
//
// A path keeps the static prefix of a reference: trigger.target[0].id
// reads target[*].id (every element: see connector.Paths), and
// trigger.target[each.key] reads all of target.
func triggerUse(decl *config.Flow, t *Trigger) *connector.Paths {
	if t == nil || t.Spec == nil {
		return nil
	}
	ty := t.Spec.Output // what the runtime decodes (Output narrows it for checks)
	use := connector.NewPaths(ty)
	addExpr := func(expr hcl.Expression) {
		if expr == nil {
			return
		}
		for _, tr := range expr.Variables() {
			if tr.RootName() == "trigger" {
				use.Add(staticSteps(tr[1:])...)
			}
		}
	}
	var attrs []string
	if ty.IsObjectType() {
		attrs = connector.SortedKeys(ty.AttributeTypes())
	}
	addPredicate := func(src string) {
		if src == "" {
			return
		}
		paths, ok := lang.PredicatePaths(src, attrs)
		if !ok {
			use.Add()
		}
		for _, p := range paths {
			use.Add(p...)
		}
	}
	addPredicate(decl.Trigger.Filter)
	addExpr(decl.Enabled)
	addExpr(decl.Timeout)
	addExpr(decl.Concurrency)
	for _, c := range decl.Cards {
		addPredicate(c.If)
		addExpr(c.ForEach)
		addExpr(c.Concurrency)
		addExpr(c.Timeout)
		if r := c.Retry; r != nil {
			addExpr(r.Attempts)
			addExpr(r.Backoff)
			addExpr(r.MaxBackoff)
		}
		for _, a := range c.Inputs {
			addExpr(a.Expr)
		}
	}
	if use.Whole() {
		return nil
	}
	return use
}

// staticSteps returns the steps of tr up to its first that is not an
// attribute or a literal index, as connector.Paths takes them.
func staticSteps(tr hcl.Traversal) []string {
	steps := make([]string, 0, len(tr))
	for _, s := range tr {
		switch s := s.(type) {
		case hcl.TraverseAttr:
			steps = append(steps, s.Name)
		case hcl.TraverseIndex:
			// An index converts to a string as HCL converts it to look up
			// an attribute ([0] is "0").
			k := s.Key
			if !k.IsWhollyKnown() || k.IsNull() || k.IsMarked() {
				return steps
			}
			ks, err := convert.Convert(k, cty.String)
			if err != nil {
				return steps
			}
			steps = append(steps, ks.AsString())
		default:
			return steps
		}
	}
	return steps
}
