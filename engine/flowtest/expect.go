package flowtest

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// outcome is what the last execution of a run left behind.
type outcome struct {
	gen     *plan.Generation
	flow    *plan.Flow
	trigger cty.Value
	result  runtime.Result
	journal []store.JournalEntry
	calls   []call
	// skipStatus leaves out the status checks.
	skipStatus bool

	cards map[string]*cardState
}

// cardState is how one card of the flow fared, from the journal.
type cardState struct {
	ran     bool // an instance ended ok
	skipped bool // an instance was skipped by its condition
	failed  bool // an instance ended with an error
	err     string
	// outputs by each.key ("" for cards without for_each)
	outputs map[string][]byte
}

func (o *outcome) state(name string) *cardState {
	if o.cards == nil {
		o.cards = cardStates(o.flow, o.journal)
	}
	if s, ok := o.cards[name]; ok {
		return s
	}
	return &cardState{}
}

// cardStates replays the journal: per card instance the last entry counts.
func cardStates(flow *plan.Flow, journal []store.JournalEntry) map[string]*cardState {
	type key struct{ card, key string }
	last := map[key]store.JournalEntry{}
	errored := map[key]bool{}
	var order []key
	for _, e := range journal {
		k := key{e.Card, e.Key}
		if _, seen := last[k]; !seen {
			order = append(order, k)
		}
		if e.Status == store.EntryReset {
			delete(last, k)
			continue
		}
		if e.Status == store.EntryError {
			errored[k] = true
		}
		last[k] = e
	}
	states := map[string]*cardState{}
	for _, k := range order {
		e, ok := last[k]
		c := flow.Card(k.card)
		if !ok || c == nil {
			continue // helper flow cards, replayed entries
		}
		s := states[k.card]
		if s == nil {
			s = &cardState{outputs: map[string][]byte{}}
			states[k.card] = s
		}
		switch e.Status {
		case store.EntryOK:
			// on_error = continue journals the error as the card's output,
			// without input.
			if errored[k] && c.OnError.Mode == config.Continue && e.Input == nil {
				s.failed = true
			} else {
				s.ran = true
			}
			s.outputs[k.key] = e.Output
		case store.EntrySkipped:
			s.skipped = true
		case store.EntryError:
			s.failed, s.err = true, e.Error
		}
	}
	return states
}

// cardValues is card.* for asserts: every card of the flow, null when it
// did not run.
func (o *outcome) cardValues() map[string]cty.Value {
	vals := make(map[string]cty.Value, len(o.flow.Cards))
	for _, c := range o.flow.Cards {
		vals[c.Name] = o.cardValue(c)
	}
	return vals
}

func (o *outcome) cardValue(c *plan.Card) cty.Value {
	s := o.state(c.Name)
	if len(s.outputs) == 0 {
		return cty.NullVal(c.Output)
	}
	if c.ForEach == nil || !c.Output.IsMapType() {
		v, err := connector.FromJSON(s.outputs[""], c.Output)
		if err != nil {
			return cty.NullVal(c.Output)
		}
		return v
	}
	elem := c.Output.ElementType()
	m := map[string]cty.Value{}
	for k, b := range s.outputs {
		v, err := connector.FromJSON(b, elem)
		if err != nil {
			v = cty.NullVal(elem)
		}
		m[k] = v
	}
	v, err := convert.Convert(cty.ObjectVal(m), c.Output)
	if err != nil {
		return cty.NullVal(c.Output)
	}
	return v
}

// callValues is calls.* for asserts: the inputs of every attempt, by
// "connector.action", in order. Every action of the flow's cards is
// present, so length(calls["okta.deactivate_user"]) == 0 works.
func (o *outcome) callValues() cty.Value {
	by := map[string][]cty.Value{}
	for _, c := range o.flow.Cards {
		if c.Action != nil && c.Connector != nil {
			by[actionName(c)] = nil
		}
	}
	for _, c := range o.calls {
		in, _ := c.Input.UnmarkDeep()
		by[c.Action] = append(by[c.Action], in)
	}
	vals := make(map[string]cty.Value, len(by))
	for k, v := range by {
		if len(v) == 0 {
			vals[k] = cty.EmptyTupleVal
			continue
		}
		vals[k] = cty.TupleVal(v)
	}
	return cty.ObjectVal(vals)
}

// evalContext is what asserts and expect_call arguments see.
func (o *outcome) evalContext() *hcl.EvalContext {
	errMsg := cty.NullVal(cty.String)
	if o.result.Err != nil {
		errMsg = cty.StringVal(o.result.Err.Error())
	}
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"var":     o.gen.Vars,
			"trigger": o.trigger,
			"card":    cty.ObjectVal(o.cardValues()),
			"calls":   o.callValues(),
			"execution": cty.ObjectVal(map[string]cty.Value{
				"status": cty.StringVal(string(o.result.Status)),
				"error":  errMsg,
			}),
		},
		Functions: assertFunctions(o.gen.Funcs),
	}
}

// check evaluates the run's expectations.
func (o *outcome) check(tr *config.TestRun) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if !o.skipStatus {
		diags = append(diags, o.checkStatus(tr)...)
	}
	ectx := o.evalContext()
	for _, a := range tr.Asserts {
		diags = append(diags, lang.Dedupe(checkAssert(a, ectx))...)
	}
	for _, e := range tr.ExpectCalls {
		diags = append(diags, o.checkCalls(e, ectx)...)
	}
	for _, ref := range tr.ExpectSkipped {
		if s := o.state(ref.Name); s.ran || s.failed {
			what := "ran"
			if s.failed {
				what = "ran and failed"
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Card was not skipped",
				Detail:   fmt.Sprintf("The run expects card %q to be skipped (its if condition false, or the flow ended before it), but it %s.", ref.Name, what),
				Subject:  ref.Range.Ptr(),
			})
		}
	}
	for _, ref := range tr.ExpectFailures {
		if s := o.state(ref.Name); !s.failed {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Card did not fail",
				Detail:   fmt.Sprintf("The run expects card %q to fail, but it %s.", ref.Name, o.describe(ref.Name)),
				Subject:  ref.Range.Ptr(),
			})
		}
	}
	return diags
}

func (o *outcome) describe(card string) string {
	s := o.state(card)
	switch {
	case s.failed:
		return "failed: " + s.err
	case s.ran:
		return "succeeded"
	case s.skipped:
		return "was skipped"
	}
	return "did not run"
}

// checkStatus compares how the execution ended with expect_status; without
// it, a failed execution fails the run unless expect_failures names the
// failing cards.
func (o *outcome) checkStatus(tr *config.TestRun) hcl.Diagnostics {
	got := o.result.Status
	why := o.ending()
	if tr.ExpectStatus != "" {
		if string(got) == tr.ExpectStatus {
			return nil
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unexpected execution status",
			Detail:   fmt.Sprintf("The run expects the execution to end %s, but it ended %s%s.", tr.ExpectStatus, got, why),
			Subject:  tr.ExpectStatusRange.Ptr(),
		}}
	}
	if got != store.Failed {
		return nil
	}
	var diags hcl.Diagnostics
	expected := map[string]bool{}
	for _, r := range tr.ExpectFailures {
		expected[r.Name] = true
	}
	for _, c := range o.flow.Cards {
		if o.state(c.Name).failed && !expected[c.Name] {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unexpected failure",
				Detail: fmt.Sprintf("Card %q failed: %s. If the flow should fail here, add expect_failures = [card.%s] or expect_status = \"failed\" to the run.",
					c.Name, o.state(c.Name).err, c.Name),
				Subject: tr.DeclRange.Ptr(),
			})
		}
	}
	if len(diags) == 0 && len(tr.ExpectFailures) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unexpected failure",
			Detail:   fmt.Sprintf("The execution failed%s. If it should, add expect_status = \"failed\" to the run.", why),
			Subject:  tr.DeclRange.Ptr(),
		})
	}
	return diags
}

// ending explains how the execution ended: its error, or the reason a
// flow.return card halted it.
func (o *outcome) ending() string {
	if o.result.Err != nil {
		return ": " + o.result.Err.Error()
	}
	if o.result.Status != store.Halted {
		return ""
	}
	for i := len(o.journal) - 1; i >= 0; i-- {
		var stop struct {
			Stop   string `json:"stop"`
			Reason string `json:"reason"`
		}
		if json.Unmarshal(o.journal[i].Output, &stop) == nil && stop.Stop != "" {
			return fmt.Sprintf(" at card %q (%s)", o.journal[i].Card, stop.Reason)
		}
	}
	return ""
}

func checkAssert(a *config.TestAssert, ectx *hcl.EvalContext) hcl.Diagnostics {
	v, diags := a.Condition.Value(ectx)
	if diags.HasErrors() {
		// The condition could not be evaluated, which fails the assert:
		// say which one, with its message.
		msg := assertMessage(a, ectx)
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				d.Detail = strings.TrimSpace(d.Detail + "\n\nThe assert fails: " + msg)
			}
		}
		return diags
	}
	v, _ = v.UnmarkDeep()
	if cv, err := convert.Convert(v, cty.Bool); err == nil {
		v = cv
	}
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Bool {
		return hcl.Diagnostics{{
			Severity:    hcl.DiagError,
			Summary:     "Invalid assert condition",
			Detail:      fmt.Sprintf("The condition must be true or false, not %s.", show(v)),
			Subject:     a.Condition.Range().Ptr(),
			Expression:  a.Condition,
			EvalContext: ectx,
		}}
	}
	if v.True() {
		return nil
	}
	return hcl.Diagnostics{{
		Severity:    hcl.DiagError,
		Summary:     "Test assertion failed",
		Detail:      assertMessage(a, ectx),
		Subject:     a.Condition.Range().Ptr(),
		Expression:  a.Condition,
		EvalContext: ectx,
	}}
}

// assertMessage evaluates an assert's error_message.
func assertMessage(a *config.TestAssert, ectx *hcl.EvalContext) string {
	msg := "The assert condition is false."
	if a.ErrorMessage != nil {
		mv, d := a.ErrorMessage.Value(ectx)
		if !d.HasErrors() && mv.IsKnown() && !mv.IsNull() {
			if s, err := convert.Convert(mv, cty.String); err == nil {
				s, _ = s.UnmarkDeep()
				msg = s.AsString()
			}
		}
	}
	return msg
}

func (o *outcome) checkCalls(e *config.TestExpectCall, ectx *hcl.EvalContext) hcl.Diagnostics {
	want := cty.NilVal
	if e.With != nil {
		v, diags := e.With.Value(ectx)
		if diags.HasErrors() {
			return diags
		}
		want = v
	}
	count, diags := evalCount(e.Count, "count", -1)
	if diags.HasErrors() {
		return diags
	}
	var all, matched []call
	for _, c := range o.calls {
		if (e.Target.Card != "" && c.Card == e.Target.Card) || (e.Target.Action != "" && c.Action == e.Target.Action) {
			all = append(all, c)
			if want == cty.NilVal || subset(want, c.Input) {
				matched = append(matched, c)
			}
		}
	}
	n := len(matched)
	if (count < 0 && n > 0) || n == count {
		return nil
	}
	expect := "at least once"
	if count >= 0 {
		expect = times(count)
	}
	with := ""
	if want != cty.NilVal {
		with = " with " + show(want)
	}
	got := "called " + times(n)
	if n == 0 {
		got = "never called"
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unexpected calls",
		Detail:   fmt.Sprintf("The run expects %s to be called %s%s, but it was %s%s.", e.Target, expect, with, got, listCalls(all, want != cty.NilVal)),
		Subject:  e.DeclRange.Ptr(),
	}}
}

func times(n int) string {
	switch n {
	case 0:
		return "never"
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

func listCalls(calls []call, filtered bool) string {
	if len(calls) == 0 {
		return ""
	}
	var b strings.Builder
	if filtered {
		b.WriteString(" with that input")
	}
	fmt.Fprintf(&b, "; all its calls (%d):", len(calls))
	for _, c := range calls {
		fmt.Fprintf(&b, "\n  card.%s %s", c.Card, show(c.Input))
		if c.Err != nil {
			fmt.Fprintf(&b, " → error: %v", c.Err)
		}
	}
	return b.String()
}
