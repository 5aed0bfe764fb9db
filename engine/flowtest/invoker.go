package flowtest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// call is one recorded action invocation (one attempt).
type call struct {
	Card   string
	Action string // "connector.action"
	Input  cty.Value
	Err    error
}

// mockState is a mock block and how often it answered.
type mockState struct {
	decl  *config.TestMock
	times int // -1: unlimited
	used  int
}

func (m *mockState) exhausted() bool { return m.times >= 0 && m.used >= m.times }

// invoker answers the actions of a run: mocks first, then the engine's own
// functions (tables, text, flow.return) and emulated connectors, and
// refuses everything else, so that a test never reaches a real tenant.
type invoker struct {
	gen      *plan.Generation
	run      *config.TestRun
	emulated map[string]bool
	// emulators are the connectors that have a built-in emulator, which
	// an emulator block may start: the hint of an unmocked action offers
	// one only where it exists.
	emulators map[string]Emulator
	clock     *fakeClock
	mocks     []*mockState

	mu    sync.Mutex
	calls []call
	diags hcl.Diagnostics
	seen  map[string]bool // unmocked actions already reported
}

var _ runtime.Invoker = (*invoker)(nil)

func newInvoker(gen *plan.Generation, tr *config.TestRun, emulated map[string]bool, emulators map[string]Emulator, clock *fakeClock) *invoker {
	iv := &invoker{gen: gen, run: tr, emulated: emulated, emulators: emulators, clock: clock, seen: map[string]bool{}}
	for _, m := range tr.Mocks {
		times, diags := evalCount(m.Times, "times", -1)
		iv.diags = append(iv.diags, diags...)
		iv.mocks = append(iv.mocks, &mockState{decl: m, times: times})
	}
	return iv
}

// inEngine reports whether an action runs inside the engine and touches
// nothing outside the execution: pure functions, flow tables and helper
// flows. These run for real in tests unless mocked.
func inEngine(a *plan.Card) bool {
	return a.Connector.InEngine || a.Action.Effect == connector.Pure
}

// actionName is the card's action as "connector.action". A card whose
// action is unknown (validate compiles those too, to report everything
// else) has neither connector nor action: its name is what the flow says.
func actionName(c *plan.Card) string {
	if c.Connector == nil || c.Action == nil {
		if c.Decl == nil {
			return ""
		}
		return c.Decl.Action
	}
	return c.Connector.Name + "." + c.Action.Name
}

// Invoke implements runtime.Invoker.
func (iv *invoker) Invoke(ctx context.Context, card *plan.Card, c *connector.Call) (cty.Value, error) {
	action := actionName(card)
	in := c.Input.Object()
	iv.mu.Lock()
	m := iv.pick(card.Name, action)
	idx := len(iv.calls)
	iv.calls = append(iv.calls, call{Card: card.Name, Action: action, Input: in})
	iv.mu.Unlock()

	var out cty.Value
	var err error
	switch {
	case m != nil:
		out, err = iv.answer(m, card, in)
	case inEngine(card) || iv.emulated[card.Connector.Name]:
		out, err = runtime.DirectInvoker.Invoke(ctx, card, c)
	default:
		err = iv.unmocked(card, action)
	}
	iv.mu.Lock()
	iv.calls[idx].Err = err
	iv.mu.Unlock()
	return out, err
}

// pick returns the mock that answers this call: the first unexhausted mock
// of the card, else of the action. Must hold iv.mu.
func (iv *invoker) pick(card, action string) *mockState {
	for _, byCard := range []bool{true, false} {
		for _, m := range iv.mocks {
			t := m.decl.Target
			if (byCard && t.Card == card) || (!byCard && t.Action == action) {
				if !m.exhausted() {
					m.used++
					return m
				}
			}
		}
	}
	return nil
}

func (iv *invoker) unmocked(card *plan.Card, action string) error {
	iv.mu.Lock()
	if !iv.seen[action] {
		iv.seen[action] = true
		conn := card.Connector.Name
		fix := fmt.Sprintf("Add mock %q { output = { … } } (or mock \"card.%s\") to this run", action, card.Name)
		if _, ok := iv.emulators[conn]; ok {
			fix += fmt.Sprintf(", or emulator %q {} to serve it from the built-in emulator.", conn)
		} else {
			fix += fmt.Sprintf(": %s has no built-in emulator.", conn)
		}
		iv.diags = append(iv.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unmocked action",
			Detail: fmt.Sprintf("Card %q calls %s, which no mock answers and no emulator serves; tests never reach a real %s. %s",
				card.Name, action, conn, fix),
			Subject: iv.run.DeclRange.Ptr(),
		})
	}
	iv.mu.Unlock()
	return &connector.Error{Kind: connector.Invalid, Op: action, Message: "not mocked in this test"}
}

// answer evaluates a mock for one call; input.* is the call's input.
func (iv *invoker) answer(m *mockState, card *plan.Card, input cty.Value) (cty.Value, error) {
	ectx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"input": input, "var": iv.gen.Vars},
		Functions: iv.gen.Funcs,
	}
	action := actionName(card)
	if m.decl.Error != nil {
		v, diags := m.decl.Error.Value(ectx)
		if diags.HasErrors() {
			return cty.NilVal, iv.mockProblem(diags, action)
		}
		e, err := mockError(v, action, iv.clock.Now())
		if err != nil {
			return cty.NilVal, iv.mockProblem(hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid mock error", Detail: err.Error(), Subject: m.decl.Error.Range().Ptr()}}, action)
		}
		return cty.NilVal, e
	}
	outType := card.Output
	if card.ForEach != nil && outType.IsMapType() {
		outType = outType.ElementType()
	}
	v := cty.EmptyObjectVal
	if m.decl.Output != nil {
		var diags hcl.Diagnostics
		v, diags = m.decl.Output.Value(ectx)
		if diags.HasErrors() {
			return cty.NilVal, iv.mockProblem(diags, action)
		}
	}
	out, err := conformValue(v, outType)
	if err != nil {
		subject := m.decl.DeclRange
		if m.decl.Output != nil {
			subject = m.decl.Output.Range()
		}
		return cty.NilVal, iv.mockProblem(hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid mock output",
			Detail:   fmt.Sprintf("The output does not fit %s's output type: %v.", action, err),
			Subject:  subject.Ptr(),
		}}, action)
	}
	return out, nil
}

// mockProblem records a broken mock (it fails the run) and fails the card.
func (iv *invoker) mockProblem(diags hcl.Diagnostics, action string) error {
	iv.mu.Lock()
	iv.diags = append(iv.diags, diags...)
	iv.mu.Unlock()
	return &connector.Error{Kind: connector.Invalid, Op: action, Message: "the mock is invalid: " + diags.Error()}
}

// mockErrorType is the shape of a mock's error argument.
var mockErrorType = cty.Object(map[string]cty.Type{
	"kind":        cty.String,
	"message":     cty.String,
	"status":      cty.Number,
	"code":        cty.String,
	"retry_after": cty.String,
})

// mockError builds the connector error a mock fails with. kind defaults
// from status (429 → rate_limited, 5xx → transient), else "other".
func mockError(v cty.Value, action string, now time.Time) (*connector.Error, error) {
	obj, err := conformValue(v, mockErrorType)
	if err != nil {
		return nil, err
	}
	if extra := extraAttributes(v, mockErrorType, ""); len(extra) > 0 {
		return nil, fmt.Errorf("unknown attribute %q: an error has kind, message, status, code and retry_after", extra[0])
	}
	e := &connector.Error{Op: action, Message: connector.String(obj, "message"), Code: connector.String(obj, "code")}
	e.Status = connector.Int(obj, "status", 0)
	switch k := connector.String(obj, "kind"); {
	case k != "":
		kind, ok := connector.ParseKind(k)
		if !ok {
			return nil, fmt.Errorf("kind %q is not an error kind: use one of %s", k, kindList())
		}
		e.Kind = kind
	case e.Status != 0:
		e.Kind = connector.HTTPKind(e.Status)
	}
	if e.Message == "" {
		e.Message = "mocked " + e.Kind.String() + " error"
	}
	if ra := connector.String(obj, "retry_after"); ra != "" {
		d, err := plan.ParseDuration(ra)
		if err != nil {
			return nil, fmt.Errorf("retry_after: %v", err)
		}
		e.RetryAt = now.Add(d)
	}
	return e, nil
}

func kindList() string {
	s := ""
	for k := connector.Other; k <= connector.Conflict; k++ {
		if s != "" {
			s += ", "
		}
		s += k.String()
	}
	return s
}

// snapshot returns the calls recorded so far.
func (iv *invoker) snapshot() []call {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	return append([]call(nil), iv.calls...)
}

// problems returns the unmocked calls and broken mocks.
func (iv *invoker) problems() hcl.Diagnostics {
	iv.mu.Lock()
	defer iv.mu.Unlock()
	return append(hcl.Diagnostics(nil), iv.diags...)
}
