package runtime

import (
	"sort"
	"sync"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/internal/jsonw"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// genInfo is what the runtime derives once per generation rather than per
// card: the secret strings, the table and flow name objects, and which
// earlier cards each card's expressions read.
type genInfo struct {
	secrets []string
	tables  cty.Value
	flows   cty.Value
	cards   map[*plan.Card]*cardInfo
	// places gives, per flow, each card's place in the flow: where a run
	// keeps its output (flowScope.outs).
	places map[*plan.Flow]map[string]int
}

// cardInfo says what a card's expressions (inputs, for_each) reference.
type cardInfo struct {
	// args says how to evaluate each argument of the action, in the order
	// of its Input schema; inputOrder lists them in name order, for the
	// journal, and inputKeys holds what the journal's JSON has before each
	// of them there: `{"name":` for the first, `,"name":` for the others.
	args       []argInfo
	inputOrder []int
	inputKeys  []string
	// outputNames are the attributes of the card's (per instance) output
	// object in name order, for the journal.
	outputNames []string
	// sensitiveInput says whether the action has sensitive arguments.
	sensitiveInput bool
	// cards are the earlier cards referenced by name; nil with usesCards
	// means the whole card object (a reference without a static name).
	cards     []string
	usesCards bool
}

// argInfo is how to evaluate one argument of a card.
type argInfo struct {
	attr     *hcl.Attribute // nil: the card leaves the argument out
	constant cty.Value      // the value of a constant expression (no references, no function calls), converted once
}

// genInfoKey keys the runtime's genInfo among what a generation holds.
type genInfoKey struct{}

// infoOf returns gen's genInfo, made on first use and kept by gen.
func infoOf(gen *plan.Generation) *genInfo {
	return gen.Derived(genInfoKey{}, func() any { return newGenInfo(gen) }).(*genInfo)
}

func newGenInfo(gen *plan.Generation) *genInfo {
	base := gen.Scope()
	info := &genInfo{
		secrets: generationSecrets(gen),
		tables:  base.Tables,
		flows:   base.Flows,
		cards:   map[*plan.Card]*cardInfo{},
		places:  map[*plan.Flow]map[string]int{},
	}
	for _, f := range gen.Flows {
		for _, c := range f.Cards {
			info.cards[c] = refsOf(c)
		}
		info.places[f] = placesOf(f)
	}
	return info
}

// placesOf maps the names of f's cards to their places in it.
func placesOf(f *plan.Flow) map[string]int {
	places := make(map[string]int, len(f.Cards))
	for i, c := range f.Cards {
		places[c.Name] = i
	}
	return places
}

// refsOf collects the card references of a card's inputs and for_each.
func refsOf(c *plan.Card) *cardInfo {
	ci := &cardInfo{}
	names := map[string]bool{}
	whole := false
	visit := func(expr hcl.Expression) {
		if expr == nil {
			return
		}
		for _, tr := range expr.Variables() {
			if tr.RootName() != "card" {
				continue
			}
			ci.usesCards = true
			if len(tr) < 2 {
				whole = true
				continue
			}
			switch step := tr[1].(type) {
			case hcl.TraverseAttr:
				names[step.Name] = true
			case hcl.TraverseIndex:
				if k := step.Key; k.Type() == cty.String && k.IsKnown() && !k.IsNull() {
					names[k.AsString()] = true
				} else {
					whole = true
				}
			default:
				whole = true
			}
		}
	}
	for _, a := range c.Inputs {
		visit(a.Expr)
	}
	if c.Action != nil {
		schema := c.Action.Input
		ci.args = make([]argInfo, len(schema))
		ci.inputOrder = make([]int, len(schema))
		for i, a := range schema {
			ci.inputOrder[i] = i
			ci.sensitiveInput = ci.sensitiveInput || a.Sensitive
			attr, ok := c.Inputs[a.Name]
			if !ok {
				continue
			}
			arg := &ci.args[i]
			arg.attr = attr
			if v, ok := constInput(attr.Expr, a); ok {
				arg.constant = v
			}
		}
		sort.Slice(ci.inputOrder, func(i, j int) bool {
			return schema[ci.inputOrder[i]].Name < schema[ci.inputOrder[j]].Name
		})
		ci.inputKeys = make([]string, len(schema))
		for n, i := range ci.inputOrder {
			sep := byte(',')
			if n == 0 {
				sep = '{'
			}
			ci.inputKeys[n] = string(append(jsonw.AppendString([]byte{sep}, schema[i].Name), ':'))
		}
	}
	out := c.Output
	if c.ForEach != nil && (out.IsMapType() || out.IsListType()) {
		out = out.ElementType()
	}
	if out.IsObjectType() {
		ci.outputNames = connector.SortedKeys(out.AttributeTypes())
	}
	if c.ForEach != nil {
		visit(c.ForEach)
	}
	if ci.usesCards && !whole {
		ci.cards = connector.SortedKeys(names)
	}
	return ci
}

// constInput evaluates an input expression that references nothing and
// calls no function (env() and file() read the world each time), as
// inputs evaluates it. Anything that fails is left to inputs to report.
func constInput(expr hcl.Expression, a connector.Attribute) (cty.Value, bool) {
	syn, ok := expr.(hclsyntax.Expression)
	if !ok || len(expr.Variables()) > 0 {
		return cty.NilVal, false
	}
	calls := false
	hclsyntax.VisitAll(syn, func(n hclsyntax.Node) hcl.Diagnostics {
		if _, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			calls = true
		}
		return nil
	})
	if calls {
		return cty.NilVal, false
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	cv, err := convert.Convert(v, a.Type)
	if err != nil || (a.Required && cv.IsNull()) {
		return cty.NilVal, false
	}
	if a.Sensitive {
		cv = cv.Mark(lang.Sensitive)
	}
	return cv, true
}

// flowScope is what the expressions of one run of a flow's cards see. The
// hcl.EvalContext is built only when an expression needs HCL: arguments
// that are plain references are read from the fields.
type flowScope struct {
	gen     *plan.Generation
	info    *genInfo
	trigger cty.Value
	vars    cty.Value
	// outs holds the outputs of the cards that ran, at their places in
	// the flow (places); cty.NilVal for those that did not. A slice, not a
	// map per run: a tenth of the memory, and no hashing per card.
	places map[string]int
	outs   []cty.Value
	// byName is outs by card name, built when HCL or a predicate needs it
	// and until the next card's output; under mu.
	byName map[string]cty.Value
	// base holds var, trigger, table, flow and the functions, once needed.
	base *hcl.EvalContext
	// child is reused by the cards that run one after the other; for_each
	// instances, which may run at once, get their own.
	child *hcl.EvalContext
	mu    sync.Mutex // base and child: for_each instances run at once
}

func newFlowScope(flow *plan.Flow, trigger cty.Value) *flowScope {
	gen := flow.Gen
	vars := gen.Vars
	if vars == cty.NilVal {
		vars = cty.EmptyObjectVal
	}
	info := infoOf(gen)
	places := info.places[flow]
	if places == nil { // not a flow of its generation's map
		places = placesOf(flow)
	}
	return &flowScope{gen: gen, info: info, trigger: trigger, vars: vars, places: places, outs: make([]cty.Value, len(flow.Cards))}
}

// cardOut returns the output of the card called name, if it ran.
func (s *flowScope) cardOut(name string) (cty.Value, bool) {
	i, ok := s.places[name]
	if !ok || s.outs[i] == cty.NilVal {
		return cty.NilVal, false
	}
	return s.outs[i], true
}

// setCardOut records the output of the card called name.
func (s *flowScope) setCardOut(name string, v cty.Value) {
	if i, ok := s.places[name]; ok {
		s.mu.Lock()
		s.outs[i], s.byName = v, nil
		s.mu.Unlock()
	}
}

// cardsLocked returns the outputs of the cards that ran, by name; the
// caller holds mu and does not change the map.
func (s *flowScope) cardsLocked() map[string]cty.Value {
	if s.byName == nil {
		s.byName = make(map[string]cty.Value, len(s.outs))
		for name, i := range s.places {
			if s.outs[i] != cty.NilVal {
				s.byName[name] = s.outs[i]
			}
		}
	}
	return s.byName
}

// card returns what the runtime knows about card c.
func (s *flowScope) card(c *plan.Card) *cardInfo {
	if ci := s.info.cards[c]; ci != nil {
		return ci
	}
	// Not of this generation: work it out, and give it every card.
	ci := refsOf(c)
	ci.usesCards, ci.cards = true, nil
	return ci
}

// evalContext is the context of card c's expressions, for one for_each
// element when each is not nil. It holds only the cards c references.
func (s *flowScope) evalContext(c *plan.Card, each *lang.Each) *hcl.EvalContext {
	ci := s.card(c)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.base == nil {
		s.base = &hcl.EvalContext{
			Variables: map[string]cty.Value{"var": s.vars, "table": s.info.tables, "flow": s.info.flows},
			Functions: s.gen.Funcs,
		}
		if s.trigger != cty.NilVal {
			s.base.Variables["trigger"] = s.trigger
		}
	}
	if !ci.usesCards && each == nil {
		return s.base
	}
	var ctx *hcl.EvalContext
	if each == nil && s.child != nil {
		ctx = s.child
		clear(ctx.Variables)
	} else {
		ctx = s.base.NewChild()
		ctx.Variables = make(map[string]cty.Value, 2)
		if each == nil {
			s.child = ctx
		}
	}
	if ci.usesCards {
		ctx.Variables["card"] = s.cardsObject(ci.cards)
	}
	if each != nil {
		ctx.Variables["each"] = cty.ObjectVal(map[string]cty.Value{"key": each.Key, "value": each.Value})
	}
	return ctx
}

// cardsObject is the card object of HCL, of the cards names (all when
// nil); the caller holds mu.
func (s *flowScope) cardsObject(names []string) cty.Value {
	if names == nil {
		all := s.cardsLocked()
		if len(all) == 0 {
			return cty.EmptyObjectVal
		}
		return cty.ObjectVal(all)
	}
	m := make(map[string]cty.Value, len(names))
	for _, n := range names {
		if v, ok := s.cardOut(n); ok {
			m[n] = v
		}
	}
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// predicateEnv is what an `if` predicate sees.
func (s *flowScope) predicateEnv(each *lang.Each) map[string]cty.Value {
	s.mu.Lock()
	cards := s.cardsLocked() // never changed once built: safe after Unlock
	s.mu.Unlock()
	sc := lang.Scope{Vars: s.gen.Vars, Trigger: s.trigger, Cards: cards, Each: each}
	return sc.PredicateEnv()
}

// generationSecrets lists the secret strings of a generation: the values
// of sensitive variables and connection attributes, in every spelling.
func generationSecrets(gen *plan.Generation) []string {
	return withSpellings(plan.GenerationSecrets(gen))
}
