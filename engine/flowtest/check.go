package flowtest

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Check reports the mistakes in gen's test files that show without running
// them: unknown flows, cards, actions, tables, variables and emulators,
// mock outputs and trigger events with attributes their types do not have,
// and references in asserts to cards the flow does not have. gen is a
// generation compiled in check mode (as validate does); Check does no
// network I/O and reads only the seed and trigger files the tests name.
// emus are the emulators emulator blocks may name.
func Check(gen *plan.Generation, emus map[string]Emulator) hcl.Diagnostics {
	if gen == nil || gen.Config == nil {
		return nil
	}
	var diags hcl.Diagnostics
	for _, tf := range gen.Config.Tests {
		for _, tr := range tf.Runs {
			c := &checker{gen: gen, file: tf.Name, run: tr, emus: emus}
			diags = append(diags, c.check()...)
		}
	}
	return diags
}

type checker struct {
	gen  *plan.Generation
	file string
	run  *config.TestRun
	flow *plan.Flow
	emus map[string]Emulator
	// types is what asserts see, typed and unknown (typeContext).
	types *hcl.EvalContext
}

func (c *checker) check() hcl.Diagnostics {
	tr := c.run
	if tr.Flow == "" {
		return nil // the structure diagnostics said why
	}
	flow, ok := c.gen.Flows[tr.Flow]
	if !ok || flow == nil {
		return hcl.Diagnostics{unknownFlow(c.gen.Config, tr)}
	}
	c.flow = flow
	var diags hcl.Diagnostics
	if tr.Variables != nil {
		_, d := runVariables(c.gen.Config, tr)
		diags = append(diags, d...)
	}
	diags = append(diags, c.checkTrigger()...)
	if _, d := evalCount(tr.Repeat, "repeat", 1); d.HasErrors() {
		diags = append(diags, d...)
	}
	for _, tb := range tr.Tables {
		_, d := tableRows(c.gen, tb)
		diags = append(diags, d...)
	}
	for _, m := range tr.Mocks {
		diags = append(diags, c.checkMock(m)...)
	}
	for _, e := range tr.Emulators {
		diags = append(diags, c.checkEmulator(e)...)
	}
	for _, a := range tr.Asserts {
		// A missing condition is a structure diagnostic already.
		if a.Condition != nil {
			diags = append(diags, c.checkExpr(a.Condition)...)
		}
		if a.ErrorMessage != nil {
			diags = append(diags, c.checkExpr(a.ErrorMessage)...)
		}
	}
	for _, e := range tr.ExpectCalls {
		diags = append(diags, c.checkExpectCall(e)...)
	}
	for _, ref := range append(append([]config.CardRef(nil), tr.ExpectSkipped...), tr.ExpectFailures...) {
		if flow.Card(ref.Name) == nil {
			diags = append(diags, c.unknownCard(ref.Name, ref.Range))
		}
	}
	return diags
}

func (c *checker) checkTrigger() hcl.Diagnostics {
	tr := c.run
	if c.flow.Trigger == nil || (tr.Trigger == nil && tr.TriggerFile == nil) {
		return nil
	}
	ty := c.flow.Trigger.Spec.Output
	of := fmt.Sprintf("the %s trigger", c.flow.Trigger.Type)
	if tr.Trigger != nil {
		v, diags := tr.Trigger.Value(staticContext(c.gen))
		if diags.HasErrors() || !v.IsWhollyKnown() {
			return diags
		}
		return c.fits(v, ty, of, tr.Trigger.Range())
	}
	tf, diags := readTriggerFile(c.flow, c.file, tr.TriggerFile)
	if diags.HasErrors() {
		return diags
	}
	for _, v := range tf.values {
		if !v.IsWhollyKnown() {
			continue
		}
		if tf.delivery {
			// The connector made the payload: attributes the type
			// lacks are dropped, as in production; values must fit.
			if _, err := conformValue(v, ty); err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid trigger event",
					Detail: fmt.Sprintf("An event of the delivery does not fit %s: %v.", of, err), Subject: tr.TriggerFile.Range().Ptr()})
			}
			continue
		}
		diags = append(diags, c.fits(v, ty, of, tr.TriggerFile.Range())...)
	}
	return diags
}

// fits checks a trigger event a test gives: its type, then that the
// flow's trigger starts for it. (A delivery's events are already those
// the trigger takes.)
func (c *checker) fits(v cty.Value, ty cty.Type, of string, subject hcl.Range) hcl.Diagnostics {
	diags := typeFit(v, ty, "trigger event", of, subject)
	if diags.HasErrors() {
		return diags
	}
	return append(diags, c.checkAccepted(v, subject)...)
}

// checkAccepted refuses a trigger event the flow's trigger would not start
// it for (an Okta event type its event_types does not list): run ignores
// such an event, so a run of the flow for it tests nothing that happens.
func (c *checker) checkAccepted(v cty.Value, subject hcl.Range) hcl.Diagnostics {
	t := c.flow.Trigger
	conv, err := conformValue(v, t.Spec.Output)
	if err != nil {
		return nil
	}
	ok, typ := t.Spec.AcceptsValue(t.Config, conv)
	if ok {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Trigger event the flow does not start for",
		Detail: fmt.Sprintf("The event is of type %q, which the %s trigger of flow %q does not list: cardflow run would not start the flow for it. "+
			"Give an event type the trigger lists, or add this one to the trigger.", typ, t.Type, c.flow.Name),
		Subject: subject.Ptr(),
	}}
}

// typeFit reports attributes v has and ty lacks, and values that do not
// convert.
func typeFit(v cty.Value, ty cty.Type, what, of string, subject hcl.Range) hcl.Diagnostics {
	if extra := extraAttributes(v, ty, ""); len(extra) > 0 {
		var diags hcl.Diagnostics
		for _, path := range extra {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unsupported attribute in " + what,
				Detail:   fmt.Sprintf("%s has no attribute %q.%s", upperFirst(of), path, suggestPath(path, ty)),
				Subject:  subject.Ptr(),
			})
		}
		return diags
	}
	if _, err := conformValue(v, ty); err != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + what,
			Detail:   fmt.Sprintf("The value does not fit %s: %v.", of, err),
			Subject:  subject.Ptr(),
		}}
	}
	return nil
}

// suggestPath offers the nearest attribute name at the path's last step.
func suggestPath(path string, ty cty.Type) string {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		if !ty.IsObjectType() || !ty.HasAttribute(p) {
			return ""
		}
		ty = ty.AttributeType(p)
	}
	if !ty.IsObjectType() {
		return ""
	}
	return didyoumean.Hint(parts[len(parts)-1], connector.SortedKeys(ty.AttributeTypes()))
}

// target resolves a mock or expect_call target to the card's or action's
// input and output types.
func (c *checker) target(t config.TestTarget) (*connector.Action, cty.Type, hcl.Diagnostics) {
	if t.Card != "" {
		card := c.flow.Card(t.Card)
		if card == nil {
			return nil, cty.NilType, hcl.Diagnostics{c.unknownCard(t.Card, t.Range)}
		}
		out := card.Output
		if card.ForEach != nil && out.IsMapType() {
			out = out.ElementType()
		}
		return card.Action, out, nil
	}
	_, a, err := c.gen.Registry.Action(t.Action)
	if err != nil {
		return nil, cty.NilType, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unknown action",
			Detail:   fmt.Sprintf("%s.%s", upperFirst(err.Error()), didyoumean.Hint(t.Action, c.gen.Registry.ActionNames())),
			Subject:  t.Range.Ptr(),
		}}
	}
	if !c.reaches(t.Action) {
		return a, a.Output, hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "Action not used by the flow",
			Detail:   fmt.Sprintf("No card of flow %q, nor of a helper flow it runs with flow.call, calls %s, so this block has no effect.", c.flow.Name, t.Action),
			Subject:  t.Range.Ptr(),
		}}
	}
	return a, a.Output, nil
}

func (c *checker) checkMock(m *config.TestMock) hcl.Diagnostics {
	if m.Target.Card == "" && m.Target.Action == "" {
		return nil
	}
	a, out, diags := c.target(m.Target)
	if diags.HasErrors() || a == nil {
		return diags
	}
	if _, d := evalCount(m.Times, "times", -1); d.HasErrors() {
		diags = append(diags, d...)
	} else if n, _ := evalCount(m.Times, "times", -1); m.Times != nil && n < 1 {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid times", Detail: "times is how many calls the mock answers, at least 1.", Subject: m.Times.Range().Ptr()})
	}
	ectx := staticContext(c.gen)
	ectx.Variables["input"] = cty.UnknownVal(a.Input.ObjectType())
	if m.Output != nil {
		v, d := m.Output.Value(ectx)
		diags = append(diags, d...)
		if !d.HasErrors() {
			diags = append(diags, typeFitKnown(v, out, "mock output", "the output of "+m.Target.String(), m.Output.Range())...)
		}
	}
	if m.Error != nil {
		v, d := m.Error.Value(ectx)
		diags = append(diags, d...)
		if !d.HasErrors() && v.IsWhollyKnown() {
			if _, err := mockError(v, "", time.Time{}); err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid mock error", Detail: upperFirst(err.Error()) + ".", Subject: m.Error.Range().Ptr()})
			}
		}
	}
	return diags
}

// typeFitKnown is typeFit for values that may be partly unknown (they
// refer to input.*): only the attribute names are checked then.
func typeFitKnown(v cty.Value, ty cty.Type, what, of string, subject hcl.Range) hcl.Diagnostics {
	if v.IsWhollyKnown() {
		return typeFit(v, ty, what, of, subject)
	}
	var diags hcl.Diagnostics
	for _, path := range extraAttributes(v, ty, "") {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unsupported attribute in " + what,
			Detail:   fmt.Sprintf("%s has no attribute %q.%s", upperFirst(of), path, suggestPath(path, ty)),
			Subject:  subject.Ptr(),
		})
	}
	return diags
}

func (c *checker) checkEmulator(e *config.TestEmulator) hcl.Diagnostics {
	if _, ok := c.emus[e.Connector]; !ok {
		return hcl.Diagnostics{unknownEmulator(e, c.emus)}
	}
	if e.SeedFile == nil {
		return nil
	}
	path, diags := evalPath(e.SeedFile, c.file, "seed_file")
	if diags.HasErrors() {
		return diags
	}
	if _, err := os.Stat(path); err != nil {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read seed file", Detail: err.Error(), Subject: e.SeedFile.Range().Ptr()}}
	}
	return nil
}

func (c *checker) checkExpectCall(e *config.TestExpectCall) hcl.Diagnostics {
	if e.Target.Card == "" && e.Target.Action == "" {
		return nil
	}
	a, _, diags := c.target(e.Target)
	if diags.HasErrors() || a == nil {
		return diags
	}
	if _, d := evalCount(e.Count, "count", -1); d.HasErrors() {
		diags = append(diags, d...)
	}
	if e.With != nil {
		diags = append(diags, c.checkExpr(e.With)...)
		if pairs, d := hcl.ExprMap(e.With); !d.HasErrors() {
			names := a.Input.Names()
			for _, p := range pairs {
				name := hcl.ExprAsKeyword(p.Key)
				if name == "" {
					if v, d := p.Key.Value(nil); !d.HasErrors() && v.Type() == cty.String && v.IsKnown() {
						name = v.AsString()
					}
				}
				if name != "" && !slices.Contains(names, name) {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Unsupported argument in with",
						Detail:   fmt.Sprintf("%s takes no argument %q.%s", e.Target, name, didyoumean.Hint(name, names)),
						Subject:  p.Key.Range().Ptr(),
					})
				}
			}
		}
	}
	return diags
}

// assertRoots are the names asserts and expect_call arguments may refer to.
var assertRoots = []string{"card", "trigger", "var", "calls", "execution"}

// checkExpr checks an assert or expect_call expression: its references,
// then, when they name what exists, its attributes and functions.
func (c *checker) checkExpr(expr hcl.Expression) hcl.Diagnostics {
	if diags := c.checkRefs(expr); diags.HasErrors() {
		return diags
	}
	return c.checkTypes(expr)
}

// checkRefs checks the references of an assert or expect_call expression.
func (c *checker) checkRefs(expr hcl.Expression) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, tr := range expr.Variables() {
		root := tr.RootName()
		switch root {
		case "card":
			if name, rng, ok := attrName(tr, 1); ok && c.flow.Card(name) == nil {
				diags = append(diags, c.unknownCard(name, rng))
			}
		case "var":
			if name, rng, ok := attrName(tr, 1); ok {
				if _, declared := c.gen.Config.Variables[name]; !declared {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Unknown variable",
						Detail:   fmt.Sprintf("There is no variable %q.%s", name, didyoumean.Hint(name, connector.SortedKeys(c.gen.Config.Variables))),
						Subject:  rng.Ptr(),
					})
				}
			}
		case "trigger", "calls", "execution":
		default:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid reference",
				Detail:   fmt.Sprintf("%q cannot be used here: asserts refer to %s.%s", root, strings.Join(assertRoots, ", "), didyoumean.Hint(root, assertRoots)),
				Subject:  tr.SourceRange().Ptr(),
			})
		}
	}
	return diags
}

func attrName(tr hcl.Traversal, i int) (string, hcl.Range, bool) {
	if len(tr) <= i {
		return "", hcl.Range{}, false
	}
	switch s := tr[i].(type) {
	case hcl.TraverseAttr:
		return s.Name, hcl.RangeBetween(tr[0].SourceRange(), s.SrcRange), true
	case hcl.TraverseIndex:
		if s.Key.Type() == cty.String && s.Key.IsKnown() {
			return s.Key.AsString(), hcl.RangeBetween(tr[0].SourceRange(), s.SrcRange), true
		}
	}
	return "", hcl.Range{}, false
}

func (c *checker) unknownCard(name string, rng hcl.Range) *hcl.Diagnostic {
	names := make([]string, len(c.flow.Cards))
	for i, card := range c.flow.Cards {
		names[i] = card.Name
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unknown card",
		Detail:   fmt.Sprintf("Flow %q has no card %q.%s", c.flow.Name, name, didyoumean.Hint(name, names)),
		Subject:  rng.Ptr(),
	}
}

func unknownFlow(cfg *config.Config, tr *config.TestRun) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unknown flow",
		Detail:   fmt.Sprintf("There is no flow %q.%s", tr.Flow, didyoumean.Hint(tr.Flow, cfg.FlowNames())),
		Subject:  tr.FlowRange.Ptr(),
	}
}

func unknownEmulator(e *config.TestEmulator, emus map[string]Emulator) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unknown emulator",
		Detail:   fmt.Sprintf("There is no emulator for %q; emulators exist for %s.%s", e.Connector, strings.Join(connector.SortedKeys(emus), ", "), didyoumean.Hint(e.Connector, connector.SortedKeys(emus))),
		Subject:  e.ConnectorRange.Ptr(),
	}
}
