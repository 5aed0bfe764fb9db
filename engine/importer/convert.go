package importer

import (
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
)

// Result is what an import produces: files by name and the report.
type Result struct {
	// Files maps a file name (no directory) to its HCL content.
	Files  map[string][]byte
	Report *Report
}

// Convert turns a parsed export into HCL files and a report. reg tells
// which cardflow actions exist: a card mapped to an action reg does not
// have becomes a placeholder.
func Convert(p *Pack, reg *connector.Registry) (*Result, error) {
	im := newImport(p, reg)
	for _, f := range p.Flows {
		im.queue(f)
	}
	for i := 0; i < len(im.flows); i++ {
		im.convertFlow(im.flows[i])
	}
	return im.result()
}

// importState is one Convert: names of flows, tables and connections, the
// flows still to convert (inline helper flows are added as they are met).
type importState struct {
	pack      *Pack
	reg       *connector.Registry
	flowNames namer
	flows     []*flowOut
	byID      map[string]*flowOut
	// inline holds the helper flows cut out of cards, by their content:
	// copied flows keep the inner flow's id while their contents differ.
	inline    map[string]*flowOut
	tables    map[string]*tableOut
	tableName namer
	conns     map[string]*connOut // by config id
	connName  map[string]namer    // by module
	report    *Report
}

type flowOut struct {
	src      *Flow
	name     string
	parent   string // the flow an inline helper was cut from
	trigger  *block
	cards    []*block
	comments []string
	// helperInputs are the helper flow's input keys, in order, for callers.
	helperInputs []string
}

// block is an HCL block to write: a card or a trigger.
type block struct {
	kind     string // "card" or "trigger"
	label    string
	comments []string
	attrs    []attr
	// cond is the card's expr-lang condition, written as its if.
	cond string
}

// and adds a condition the card runs under.
func (b *block) and(c string) {
	if b.cond == "" {
		b.cond = c
		return
	}
	b.cond = "(" + b.cond + ") && (" + c + ")"
}

type attr struct {
	name, expr string
}

func (b *block) set(name, expr string) { b.attrs = append(b.attrs, attr{name, expr}) }

func newImport(p *Pack, reg *connector.Registry) *importState {
	im := &importState{
		pack: p, reg: reg, flowNames: namer{}, byID: map[string]*flowOut{}, inline: map[string]*flowOut{},
		tables: map[string]*tableOut{}, tableName: namer{}, conns: map[string]*connOut{},
		connName: map[string]namer{}, report: &Report{},
	}
	for _, t := range p.Tables {
		im.addTable(t)
	}
	// Flows are named up front so that calls to a flow converted later
	// resolve.
	return im
}

// queue adds a flow of the export to convert, once.
func (im *importState) queue(f *Flow) *flowOut {
	if fo := im.byID[f.ID]; fo != nil {
		return fo
	}
	fo := im.add(f, "")
	im.byID[f.ID] = fo
	return fo
}

// queueInline adds a helper flow cut out of a card of parent, once per
// content key: branches with the same cards share one helper flow.
func (im *importState) queueInline(f *Flow, parent, key string) *flowOut {
	if fo := im.inline[key]; fo != nil {
		return fo
	}
	fo := im.add(f, parent)
	im.inline[key] = fo
	return fo
}

func (im *importState) add(f *Flow, parent string) *flowOut {
	fo := &flowOut{src: f, name: im.flowNames.unique(snake(f.Name)), parent: parent}
	im.flows = append(im.flows, fo)
	fo.helperInputs = helperInputs(f)
	return fo
}

// helperInputs lists the input keys of a helper flow's Helper Flow card.
func helperInputs(f *Flow) []string {
	for _, m := range f.Methods {
		if m.Module == "control" && m.Key == "callable" {
			var keys []string
			for _, o := range m.Outputs {
				if o.Group != "context" {
					keys = append(keys, o.Key)
				}
			}
			return keys
		}
	}
	return nil
}

// flowConv converts one flow.
type flowConv struct {
	im    *importState
	f     *Flow
	out   *flowOut
	names namer
	// exprs holds the HCL expression of each card output: "uuid/field".
	exprs map[string]string
	// sources lists the outputs wired to each input: "uuid/field".
	sources map[string][]string
	// conds are expr-lang conditions of cards inside If/Else branches.
	conds   map[string]string
	pending []string // comments waiting for the next block
	// notes are what a mapping's build found to check, by card.
	notes map[string]string
	// reads are the cards whose outputs the card being converted read;
	// deps the reads of each card written as an expression; into the
	// blocks each card's outputs ended up in.
	reads map[string]bool
	deps  map[string][]string
	into  map[string][]string
	// missingEvent are the event card fields the System Log event does
	// not carry (they read null), for the trigger's note.
	missingEvent []string
	// eventCard is the key of the Okta event card that became the flow's
	// okta.event_hook trigger, "" when none did.
	eventCard string
}

func (im *importState) convertFlow(fo *flowOut) {
	fc := &flowConv{im: im, f: fo.src, out: fo, names: namer{}, exprs: map[string]string{},
		sources: map[string][]string{}, conds: map[string]string{}, notes: map[string]string{},
		reads: map[string]bool{}, deps: map[string][]string{}, into: map[string][]string{}}
	for _, m := range fc.f.Methods {
		for _, p := range m.Pins {
			k := p.Card + "/" + p.Input
			fc.sources[k] = append(fc.sources[k], m.UUID+"/"+p.Output)
		}
	}
	fr := im.report.flow(fo.name, fc.f.Name)
	if fc.f.Scheduled {
		fo.trigger = scheduleTrigger(fc.f.Cron)
	}
	order := fc.order()
	fc.branchConditions(order)
	for _, m := range order {
		fc.reads = map[string]bool{}
		n := len(fr.Cards)
		fc.convertCard(m, fr)
		for _, cr := range fr.Cards[n:] {
			cr.uuid = m.UUID
			// What the conversion found to check (a credential left
			// out) is in the report whatever the card became.
			if note := fc.notes[m.UUID]; note != "" && !strings.Contains(cr.Note, note) {
				cr.Note = strings.TrimSpace(cr.Note + " " + note)
			}
		}
		// A card written as an expression passes its reads on to the
		// blocks that use it.
		fc.deps[m.UUID] = connector.SortedKeys(fc.reads)
	}
	for _, cr := range fr.Cards {
		if !fc.isBlock(cr.As) {
			cr.Into = fc.into[cr.uuid]
		}
	}
	fc.noteMissingEvent(fr)
	if fo.trigger == nil {
		fo.trigger = &block{kind: "trigger", label: "flow.called"}
		fo.trigger.comments = []string{"The Okta Workflows flow has no trigger card: it runs when another flow calls it."}
	}
	if len(fo.cards) == 0 {
		// cardflow flows have at least one card; Okta Workflows' may be
		// empty (a helper branch that does nothing).
		b := &block{kind: "card", label: "done", comments: fc.pending}
		fc.pending = nil
		b.set("action", "flow.return")
		fo.cards = append(fo.cards, b)
	}
	if len(fc.pending) > 0 {
		fo.comments = append(fo.comments, fc.pending...)
	}
}

// input returns the HCL expression of an input field: the outputs wired
// to it, else its literal. ok is false when it is neither wired nor set.
func (fc *flowConv) input(m *Method, f *Field) (string, bool) {
	srcs := fc.sources[m.UUID+"/"+f.ID]
	var exprs []string
	for _, s := range srcs {
		fc.reads[strings.SplitN(s, "/", 2)[0]] = true
		if e, ok := fc.exprs[s]; ok {
			exprs = append(exprs, e)
		} else {
			exprs = append(exprs, "null")
		}
	}
	switch {
	case len(exprs) == 1:
		return exprs[0], true
	case len(exprs) == 2:
		// A Join after If/Else: the value of the branch that ran.
		if e, ok := fc.joinBranches(srcs, exprs); ok {
			return e, true
		}
		return "coalesce(" + strings.Join(exprs, ", ") + ")", true
	case len(exprs) > 2:
		return "coalesce(" + strings.Join(exprs, ", ") + ")", true
	}
	if isEmptyLiteral(f.Data) {
		return "", false
	}
	if text, ok := f.Data.(string); ok && text != "" && looksSecret(f.Key, text) {
		// Never copy a credential into a flow file.
		name := strings.ToUpper(snake(f.Key))
		note := fmt.Sprintf("The literal value of %s was left out: set the environment variable %s to it.", f.Key, name)
		if !strings.Contains(fc.notes[m.UUID], note) {
			fc.notes[m.UUID] = strings.TrimSpace(fc.notes[m.UUID] + " " + note)
		}
		return fmt.Sprintf("env(%q)", name), true
	}
	return literal(f.Data), true
}

// joinBranches writes a value joined from the two branches of one If/Else
// as a conditional on its condition.
func (fc *flowConv) joinBranches(srcs, exprs []string) (string, bool) {
	c0 := fc.conds[strings.SplitN(srcs[0], "/", 2)[0]]
	c1 := fc.conds[strings.SplitN(srcs[1], "/", 2)[0]]
	if c0 == "" || c1 == "" {
		return "", false
	}
	last := func(c string) string {
		parts := strings.Split(c, " && ")
		return parts[len(parts)-1]
	}
	a, b := last(c0), last(c1)
	if b == "!"+a {
		a, b = b, a
		exprs = []string{exprs[1], exprs[0]}
	}
	if a != "!"+b || !strings.HasPrefix(b, "__branch:") {
		return "", false
	}
	h := fc.exprs[strings.TrimPrefix(b, "__branch:")+"/__hcl"]
	if h == "" {
		return "", false
	}
	// exprs[1] is from the branch where the condition holds.
	return "(" + h + ") ? " + exprs[1] + " : " + exprs[0], true
}

// inputByKey returns the expression of the first input with key (and
// group, when group is not "*").
func (fc *flowConv) inputByKey(m *Method, group, key string) (string, *Field, bool) {
	for _, f := range m.Inputs {
		if f.Key == key && (group == "*" || f.Group == group) {
			e, ok := fc.input(m, f)
			return e, f, ok
		}
	}
	return "", nil, false
}

// wired reports whether any card reads output o of m.
func (fc *flowConv) wired(m *Method, o *Field) bool {
	for _, p := range m.Pins {
		if p.Output == o.ID {
			return true
		}
	}
	return false
}

func (fc *flowConv) setOutput(m *Method, f *Field, expr string) {
	fc.exprs[m.UUID+"/"+f.ID] = expr
}

// newCard starts a card block for m with a unique name from its title.
func (fc *flowConv) newCard(m *Method, action string) *block {
	title := m.Title
	if title == "" || title == m.UUID {
		title = m.Key
	}
	b := &block{kind: "card", label: fc.names.unique(snake(title))}
	b.comments = append(b.comments, fc.pending...)
	fc.pending = nil
	b.set("action", action)
	if c := fc.conds[m.UUID]; c != "" {
		b.and(fc.condition(c))
	}
	return b
}

// parsedBody returns the action of the card whose response body e is when
// that action parses a JSON body already (http.request, okta.api_call,
// servicenow.api_call), else "".
func (fc *flowConv) parsedBody(e string) string {
	label, isCard := strings.CutPrefix(e, "card.")
	label, isBody := strings.CutSuffix(label, ".body")
	if !isCard || !isBody || !isIdent(label) {
		return ""
	}
	for _, b := range fc.out.cards {
		if b.label != label {
			continue
		}
		for _, at := range b.attrs {
			if at.name == "action" && parsesBody[at.expr] {
				return at.expr
			}
		}
	}
	return ""
}

var parsesBody = map[string]bool{"http.request": true, "okta.api_call": true, "servicenow.api_call": true}

// emit adds a card block; the cards read so far were written into it.
func (fc *flowConv) emit(b *block) {
	fc.out.cards = append(fc.out.cards, b)
	seen := map[string]bool{}
	var mark func(id string)
	mark = func(id string) {
		if seen[id] {
			return
		}
		seen[id] = true
		fc.into[id] = append(fc.into[id], b.label)
		for _, d := range fc.deps[id] {
			mark(d)
		}
	}
	for _, id := range connector.SortedKeys(fc.reads) {
		mark(id)
	}
}

func (fc *flowConv) isBlock(label string) bool {
	for _, b := range fc.out.cards {
		if b.label == label {
			return true
		}
	}
	return false
}

// condition resolves the branch markers of a condition into expr-lang.
func (fc *flowConv) condition(c string) string {
	parts := strings.Split(c, " && ")
	for i, p := range parts {
		neg := strings.HasPrefix(p, "!")
		id := strings.TrimPrefix(strings.TrimPrefix(p, "!"), "__branch:")
		e := fc.exprs[id+"/__cond"]
		if e == "" {
			e = "false"
		}
		if neg {
			e = "!(" + e + ")"
		} else {
			e = "(" + e + ")"
		}
		parts[i] = e
	}
	return strings.Join(parts, " && ")
}

func (fc *flowConv) flowRef(id string) (string, *flowOut) {
	for _, f := range fc.im.pack.Flows {
		if f.ID == id {
			fo := fc.im.queue(f)
			return "flow." + fo.name, fo
		}
	}
	return "", nil
}
