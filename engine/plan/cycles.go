package plan

import (
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/graph"
	"github.com/hashicorp/hcl/v2"
)

// checkFlowCycles reports flows that call each other synchronously (with
// flow.call) or through on_error in a loop: such an execution never ends.
func checkFlowCycles(gen *Generation) hcl.Diagnostics {
	g := graph.New()
	where := map[string]hcl.Range{}
	for _, name := range connector.SortedKeys(gen.Flows) {
		f := gen.Flows[name]
		// A flow that is its own error handler is reported by config as
		// "Flow handles its own errors"; one diagnostic is enough.
		if f.OnError != "" && f.OnError != name {
			g.Edge(name, f.OnError)
			where[name+">"+f.OnError] = f.Decl.OnErrorRange
		}
		for _, c := range f.Cards {
			if c.OnError.Flow != "" {
				g.Edge(name, c.OnError.Flow)
				where[name+">"+c.OnError.Flow] = c.OnError.Range
			}
			if target, rng, ok := syncCall(c); ok {
				g.Edge(name, target)
				where[name+">"+target] = rng
			}
		}
	}
	var diags hcl.Diagnostics
	for _, cyc := range g.Cycles() {
		next := cyc[0]
		if len(cyc) > 1 {
			next = cyc[1]
		}
		rng := where[cyc[0]+">"+next]
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Dependency cycle",
			Detail:   fmt.Sprintf("These flows call each other in a loop: %s → %s. A synchronous flow.call or on_error chain must end.", strings.Join(cyc, " → "), cyc[0]),
			Subject:  rng.Ptr(),
		})
	}
	return diags
}

// syncCall returns the flow a flow.call card calls synchronously.
func syncCall(c *Card) (string, hcl.Range, bool) {
	if c.Connector == nil || c.Connector.Name != "flow" || c.Action == nil || c.Action.Name != "call" {
		return "", hcl.Range{}, false
	}
	if a, ok := c.Inputs["async"]; ok {
		v, d := a.Expr.Value(nil)
		if !d.HasErrors() && v.IsKnown() && !v.IsNull() && v.True() {
			return "", hcl.Range{}, false
		}
	}
	a, ok := c.Inputs["flow"]
	if !ok {
		return "", hcl.Range{}, false
	}
	tr, d := hcl.AbsTraversalForExpr(a.Expr)
	if d.HasErrors() || tr.RootName() != "flow" {
		return "", hcl.Range{}, false
	}
	name, _, ok := attrStep(tr, 1)
	return name, a.Expr.Range(), ok
}
