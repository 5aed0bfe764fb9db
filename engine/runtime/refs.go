package runtime

import (
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// A reference is an expression that is nothing but a reference, such as
// trigger.event.target[0].id, card.read_user.login, var.groups or
// each.value: most card arguments are. The runtime reads it by walking
// the values the flow scope holds, without building an hcl.EvalContext
// and the object of earlier cards that HCL would look it up in.
//
// The walk covers the common case only: attributes of known, non-null
// objects and in-range indexes of known lists and tuples. Anywhere else
// (a null or unknown value, a map, a missing attribute, a splat) it gives
// up, and the expression is evaluated by HCL, which yields the same value
// or the diagnostic the author should see.
type reference struct {
	root  string // trigger, var, card, each, table or flow
	card  string // the card, when root is card
	steps []refStep
}

// refStep is one attribute or index step of a reference.
type refStep struct {
	attr  string
	index int // when attr is ""
}

// referenceOf returns expr as a reference, or nil when it is anything
// else (a template, a function call, a splat, a conditional...).
func referenceOf(expr hcl.Expression) *reference {
	st, ok := expr.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(st.Traversal) == 0 {
		return nil
	}
	tr := st.Traversal
	ref := &reference{root: tr.RootName()}
	switch ref.root {
	case "trigger", "var", "each", "table", "flow":
	case "card":
		if len(tr) < 2 {
			return nil
		}
		step, ok := tr[1].(hcl.TraverseAttr)
		if !ok {
			return nil
		}
		ref.card = step.Name
		tr = tr[1:]
	default:
		return nil
	}
	for _, t := range tr[1:] {
		switch t := t.(type) {
		case hcl.TraverseAttr:
			ref.steps = append(ref.steps, refStep{attr: t.Name})
		case hcl.TraverseIndex:
			if t.Key.Type() != cty.Number || !t.Key.IsKnown() || t.Key.IsNull() {
				return nil
			}
			i, acc := t.Key.AsBigFloat().Int64()
			if acc != 0 || i < 0 || int64(int(i)) != i {
				return nil
			}
			ref.steps = append(ref.steps, refStep{index: int(i)})
		default:
			return nil
		}
	}
	return ref
}

// value reads the reference in scope s, for the for_each element each
// (nil outside for_each). ok is false when the walk gave up.
func (ref *reference) value(s *flowScope, each *lang.Each) (v cty.Value, ok bool) {
	switch ref.root {
	case "trigger":
		v = s.trigger
	case "var":
		v = s.vars
	case "table":
		v = s.info.tables
	case "flow":
		v = s.info.flows
	case "card":
		if v, ok = s.cardOut(ref.card); !ok {
			return cty.NilVal, false
		}
	case "each":
		if each == nil || len(ref.steps) == 0 {
			return cty.NilVal, false
		}
		switch ref.steps[0].attr {
		case "key":
			v = each.Key
		case "value":
			v = each.Value
		default:
			return cty.NilVal, false
		}
		return walk(v, ref.steps[1:])
	}
	if v == cty.NilVal {
		return cty.NilVal, false
	}
	return walk(v, ref.steps)
}

// walk follows steps from v while every value on the way is known, not
// null and unmarked (marks, such as a sensitive variable's, are left to
// HCL, which carries them to the result).
func walk(v cty.Value, steps []refStep) (cty.Value, bool) {
	for _, st := range steps {
		if v.IsMarked() || !v.IsKnown() || v.IsNull() {
			return cty.NilVal, false
		}
		ty := v.Type()
		switch {
		case st.attr != "":
			// AttributeTypes is the type's own map: one lookup, where
			// HasAttribute normalises the name and looks it up again.
			if !ty.IsObjectType() {
				return cty.NilVal, false
			}
			if _, ok := ty.AttributeTypes()[st.attr]; !ok {
				return cty.NilVal, false
			}
			v = v.GetAttr(st.attr)
		case ty.IsListType() || ty.IsTupleType():
			if st.index >= v.LengthInt() {
				return cty.NilVal, false
			}
			v = v.Index(cty.NumberIntVal(int64(st.index)))
		default:
			return cty.NilVal, false
		}
	}
	return v, true
}
