package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// run is the state of one execution while it runs.
type run struct {
	x    *Executor
	ex   *store.Execution
	flow *plan.Flow
	log  *execLogger
	sec  *secrets
	done map[journalKey]store.JournalEntry
	// waits are the waiting entries of instances parked before this claim
	// (see resumeWait).
	waits map[journalKey]store.JournalEntry
	// unstored says that the run holds values its stored event lacks
	// (trigger.Received): it cannot run again from the store, so it waits
	// on its worker rather than park.
	unstored bool
	// last is the flow's last card: nothing with an effect runs after it,
	// so its result can wait for the outcome's write (see lazyResult).
	last *plan.Card

	mu      sync.Mutex
	pending []store.JournalEntry  // lazy entries not yet appended
	one     [1]store.JournalEntry // what journal appends, while oneBusy
	oneBusy bool
	// scratch serves the card instances that run one at a time (see
	// acquire), while scratchBusy.
	scratch     *cardScratch
	scratchBusy bool
}

// cardScratch is what a card instance needs for its attempts: its
// arguments, the call its action receives and the host the call lends.
// An action keeps none of them past its return (see connector.Call).
type cardScratch struct {
	vals []cty.Value
	call connector.Call
	host host
	jbuf []byte // the journal entry's input and output JSON
}

// acquire returns the run's scratch, or a new one while another instance
// (of a for_each, or of an inline helper flow's card) holds it.
func (r *run) acquire() *cardScratch {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.scratchBusy {
		return new(cardScratch)
	}
	r.scratchBusy = true
	if r.scratch == nil {
		r.scratch = new(cardScratch)
	}
	return r.scratch
}

// release gives back what acquire returned.
func (r *run) release(sc *cardScratch) {
	if sc != r.scratch {
		return
	}
	clear(sc.vals)
	sc.call = connector.Call{}
	sc.host.reset()
	r.mu.Lock()
	r.scratchBusy = false
	r.mu.Unlock()
}

// cardsOf runs the cards of flow in order. prefix names the journal space
// of an inline helper flow ("" for the execution's own flow).
func (r *run) cardsOf(ctx context.Context, flow *plan.Flow, trigger cty.Value, prefix string) Result {
	scope := newFlowScope(flow, trigger)
	if prefix == "" && len(flow.Cards) > 0 {
		r.last = flow.Cards[len(flow.Cards)-1]
	}
	for _, c := range flow.Cards {
		out, err := r.card(ctx, c, scope, prefix)
		if err != nil {
			return stopOrFail(c, err)
		}
		scope.setCardOut(c.Name, out)
	}
	return Result{Status: store.Succeeded, Output: cty.NullVal(cty.DynamicPseudoType)}
}

// stopOrFail is how a flow ends when card c returned err: parked until a
// time, stopped on purpose (flow.return) or failed.
func stopOrFail(c *plan.Card, err error) Result {
	if until, ok := parkedUntil(err); ok {
		return Result{Status: store.Waiting, Err: &parkError{until: until}}
	}
	var stop *connector.Stop
	if errors.As(err, &stop) {
		res, cerr := connector.FromGo(stop.Result, cty.DynamicPseudoType)
		if cerr != nil {
			res = cty.NullVal(cty.DynamicPseudoType)
		}
		status := store.Succeeded
		if stop.Status == string(store.Halted) {
			status = store.Halted
		}
		return Result{Status: status, Output: res}
	}
	return Result{Status: store.Failed, Err: fmt.Errorf("card %s: %w", c.Name, err)}
}

// journalName is the name of a card in the journal: inline helper cards
// are prefixed with the calling card and helper flow.
func journalName(prefix, card string) string {
	if prefix == "" {
		return card
	}
	return prefix + card
}

// card runs one card: once, or once per for_each element.
func (r *run) card(ctx context.Context, c *plan.Card, scope *flowScope, prefix string) (cty.Value, error) {
	name := journalName(prefix, c.Name)
	if c.ForEach == nil {
		return r.instance(ctx, c, scope, nil, name, "")
	}
	return r.forEach(ctx, c, scope, name)
}

// instance runs one card instance: resume from the journal, evaluate the
// condition and inputs, call the action with retries.
func (r *run) instance(ctx context.Context, c *plan.Card, scope *flowScope, each *lang.Each, name, key string) (cty.Value, error) {
	outType := c.Output
	if c.ForEach != nil {
		outType = c.Output.ElementType()
	}
	if out, err, ok := r.replay(name, key, outType); ok {
		return out, err
	}
	if c.If != nil {
		ok, err := c.If.Eval(scope.predicateEnv(each))
		if err != nil {
			return cty.NilVal, connector.Errorf(connector.Invalid, "if: %v", err)
		}
		if !ok {
			now := r.x.Clock.Now()
			err := r.journal(ctx, true, store.JournalEntry{
				ExecutionID: r.ex.ID, Card: name, Key: key, Attempt: 1, Status: store.EntrySkipped,
				StartedAt: now, EndedAt: now,
			})
			return cty.NullVal(outType), err
		}
	}
	ci := scope.card(c)
	sc := r.acquire()
	defer r.release(sc)
	in, err := r.inputs(c, ci, scope, each, sc)
	if err != nil {
		return r.failed(ctx, c, name, key, 1, false, outType, err)
	}
	return r.attempts(ctx, c, ci, name, key, in, outType, sc)
}

// input is a card instance's evaluated arguments.
type input struct {
	vals   []cty.Value // one per attribute of the action's Input, marks kept
	marked bool        // some value in vals carries a mark
}

// args returns what the action receives: the arguments without marks.
func (in input) args(schema connector.Schema) connector.Args {
	vals := in.vals
	if in.marked {
		vals = make([]cty.Value, len(in.vals))
		for i, v := range in.vals {
			vals[i], _ = v.UnmarkDeep()
		}
	}
	return connector.NewArgs(schema, vals)
}

// inputs evaluates the card's arguments, in the order of the action's
// Input schema, into sc.vals.
func (r *run) inputs(c *plan.Card, ci *cardInfo, scope *flowScope, each *lang.Each, sc *cardScratch) (input, error) {
	var ctx *hcl.EvalContext // built for the first argument that needs HCL
	n := len(c.Action.Input)
	if cap(sc.vals) < n {
		sc.vals = make([]cty.Value, n)
	}
	in := input{vals: sc.vals[:n]}
	for i := range c.Action.Input {
		a, arg := &c.Action.Input[i], &ci.args[i]
		switch {
		case arg.constant != cty.NilVal:
			in.vals[i] = arg.constant
			in.marked = in.marked || a.Sensitive
			continue
		case arg.attr == nil && a.Default != cty.NilVal:
			in.vals[i] = a.Default
			continue
		case arg.attr == nil:
			in.vals[i] = cty.NullVal(a.Type)
			continue
		}
		if ctx == nil {
			ctx = scope.evalContext(c, each)
		}
		v, diags := arg.attr.Expr.Value(ctx)
		if diags.HasErrors() {
			return input{}, connector.Errorf(connector.Invalid, "%s: %s", a.Name, diagText(diags))
		}
		cv, err := convertInput(v, a.Type)
		if err != nil {
			return input{}, connector.Errorf(connector.Invalid, "%s: %v", a.Name, err)
		}
		if a.Required && cv.IsNull() {
			return input{}, connector.Errorf(connector.Invalid, "%s is required but null", a.Name)
		}
		if a.Sensitive {
			cv = cv.Mark(lang.Sensitive)
		}
		// A primitive has no nested values: ContainsMarked would walk it.
		in.marked = in.marked || cv.IsMarked() || !cv.Type().IsPrimitiveType() && cv.ContainsMarked()
		in.vals[i] = cv
	}
	return in, nil
}

// stringMap is the type of the map-of-strings arguments (fields, headers).
var stringMap = cty.Map(cty.String)

// convertInput is convert.Convert(v, ty). An object of strings for a map
// of strings (`fields = { ... }`) is made into the map directly, as
// convert does it, without working out the conversion for each value.
func convertInput(v cty.Value, ty cty.Type) (cty.Value, error) {
	if !ty.Equals(stringMap) || !v.Type().IsObjectType() || v.IsMarked() || !v.IsKnown() || v.IsNull() {
		return convert.Convert(v, ty)
	}
	atys := v.Type().AttributeTypes()
	if len(atys) == 0 {
		return cty.MapValEmpty(cty.String), nil
	}
	for _, aty := range atys {
		if aty != cty.String {
			return convert.Convert(v, ty)
		}
	}
	return cty.MapVal(v.AsValueMap()), nil
}

func diagText(diags hcl.Diagnostics) string {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			if d.Subject != nil {
				return fmt.Sprintf("%s: %s (%s)", d.Summary, d.Detail, d.Subject)
			}
			return d.Summary + ": " + d.Detail
		}
	}
	return diags.Error()
}

// failed applies the card's error policy to a final failure; journaled
// says whether the failed attempt is in the journal already.
func (r *run) failed(ctx context.Context, c *plan.Card, name, key string, attempt int, journaled bool, outType cty.Type, cause error) (cty.Value, error) {
	if !journaled {
		// No attempt ran (the inputs did not evaluate, say): journal the
		// failure itself.
		now := r.x.Clock.Now()
		if err := r.journal(ctx, false, store.JournalEntry{
			ExecutionID: r.ex.ID, Card: name, Key: key, Attempt: attempt, Status: store.EntryError,
			Error: r.sec.scrub(cause.Error()), ErrorKind: connector.KindOf(cause).String(), StartedAt: now, EndedAt: now,
		}); err != nil {
			return cty.NilVal, err
		}
	}
	switch c.OnError.Mode {
	case config.Continue:
		out, err := errorOutput(outType, cause)
		if err != nil {
			return cty.NilVal, err
		}
		now := r.x.Clock.Now()
		err = r.journal(ctx, false, store.JournalEntry{
			ExecutionID: r.ex.ID, Card: name, Key: key, Attempt: attempt, Status: store.EntryOK,
			Output: r.sec.json(out), StartedAt: now, EndedAt: now,
		})
		return out, err
	case config.CallFlow:
		r.x.callErrorFlow(ctx, r.ex, r.flow, c.OnError.Flow, name, cause, r.log, r.sec)
	}
	return cty.NilVal, cause
}

// errorOutput is the output of an on_error = continue card that failed:
// every attribute null but error.
func errorOutput(ty cty.Type, cause error) (cty.Value, error) {
	if !ty.IsObjectType() || !ty.HasAttribute("error") {
		return cty.NullVal(ty), nil
	}
	obj := map[string]any{"error": errorObject(cause)}
	return connector.FromGo(obj, ty)
}
