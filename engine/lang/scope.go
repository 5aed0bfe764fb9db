package lang

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Scope holds what an expression may reference. Values may be unknown (of
// a known type) when validating.
type Scope struct {
	Vars    cty.Value            // object: var.*
	Trigger cty.Value            // trigger.*; NilVal where not available
	Cards   map[string]cty.Value // card.<name>.*: only the cards that ran before
	Each    *Each                // each.*: inside for_each cards
	Tables  cty.Value            // table.<name> → the table's name
	Flows   cty.Value            // flow.<name> → the flow's name
	Funcs   map[string]function.Function
}

// Each is the current iteration of a for_each card.
type Each struct {
	Key, Value cty.Value
}

// EvalContext builds the hcl.EvalContext for the scope.
func (s *Scope) EvalContext() *hcl.EvalContext {
	vars := make(map[string]cty.Value, 6)
	if s.Vars != cty.NilVal {
		vars["var"] = s.Vars
	} else {
		vars["var"] = cty.EmptyObjectVal
	}
	if s.Trigger != cty.NilVal {
		vars["trigger"] = s.Trigger
	}
	if s.Cards != nil {
		vars["card"] = cty.ObjectVal(s.Cards)
	}
	if s.Each != nil {
		vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": s.Each.Key, "value": s.Each.Value})
	}
	if s.Tables != cty.NilVal {
		vars["table"] = s.Tables
	}
	if s.Flows != cty.NilVal {
		vars["flow"] = s.Flows
	}
	return &hcl.EvalContext{Variables: vars, Functions: s.Funcs}
}

// PredicateEnv is the variables an expr-lang predicate sees.
func (s *Scope) PredicateEnv() map[string]cty.Value {
	env := map[string]cty.Value{"var": s.Vars}
	if s.Trigger != cty.NilVal {
		env["trigger"] = s.Trigger
		// A trigger's own filter reads its attributes unprefixed too
		// (record.state rather than trigger.record.state).
		if s.Trigger.Type().IsObjectType() && (!s.Trigger.IsKnown() || !s.Trigger.IsNull()) {
			for name := range s.Trigger.Type().AttributeTypes() {
				if _, taken := env[name]; !taken {
					env[name] = s.Trigger.GetAttr(name)
				}
			}
		}
	}
	if s.Cards != nil {
		env["card"] = cty.ObjectVal(s.Cards)
	}
	if s.Each != nil {
		env["each"] = cty.ObjectVal(map[string]cty.Value{"key": s.Each.Key, "value": s.Each.Value})
	}
	return env
}

// NamesObject returns an object whose attributes map each name to itself,
// for table.<name> and flow.<name> references.
func NamesObject(names []string) cty.Value {
	if len(names) == 0 {
		return cty.EmptyObjectVal
	}
	m := make(map[string]cty.Value, len(names))
	for _, n := range names {
		m[n] = cty.StringVal(n)
	}
	return cty.ObjectVal(m)
}
