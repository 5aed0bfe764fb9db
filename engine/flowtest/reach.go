package flowtest

import (
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// reaches reports whether a card of the run's flow, or of a helper flow it
// runs with a synchronous flow.call (transitively), calls action: the
// run's action mocks and expect_calls apply to those cards too. Error
// flows and asynchronous calls are enqueued, not run, so they do not
// count. A flow.call whose flow is chosen at run time might reach any
// flow.
func (c *checker) reaches(action string) bool {
	seen := map[string]bool{c.flow.Name: true}
	queue := []*plan.Flow{c.flow}
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		for _, card := range f.Cards {
			if actionName(card) == action {
				return true
			}
			called, known := calledFlows(card)
			if !known {
				return true
			}
			for _, name := range called {
				if g := c.gen.Flows[name]; g != nil && !seen[name] {
					seen[name] = true
					queue = append(queue, g)
				}
			}
		}
	}
	return false
}

// calledFlows returns the flows a card runs within its caller's execution
// (a synchronous flow.call). known is false when they cannot be told
// before it runs.
func calledFlows(card *plan.Card) (names []string, known bool) {
	if actionName(card) != "flow.call" {
		return nil, true
	}
	if a, ok := card.Inputs["async"]; ok {
		v, d := a.Expr.Value(nil)
		if !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type() == cty.Bool && v.True() {
			return nil, true
		}
	}
	a, ok := card.Inputs["flow"]
	if !ok {
		return nil, true
	}
	if v, d := a.Expr.Value(nil); !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
		return []string{v.AsString()}, true
	}
	// flow.<name>, also in a conditional choosing between flows; a name
	// read from elsewhere (trigger.input.flow) is unknown.
	for _, tr := range a.Expr.Variables() {
		if tr.RootName() != "flow" {
			continue
		}
		if len(tr) < 2 {
			return nil, false
		}
		step, ok := tr[1].(hcl.TraverseAttr)
		if !ok {
			return nil, false
		}
		names = append(names, step.Name)
	}
	return names, len(names) > 0
}
