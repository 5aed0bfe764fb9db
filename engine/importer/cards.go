package importer

import (
	"fmt"
	"strings"
)

// convertCard converts one card: a trigger, a block, an expression that
// later cards inline, a comment, or a placeholder.
func (fc *flowConv) convertCard(m *Method, fr *FlowReport) {
	if fc.out.trigger == nil && isTriggerCard(m) {
		as, note, ok := fc.trigger(m)
		if ok {
			fr.add(m, Converted, as, note)
			return
		}
	}
	if m.Module == "control" && m.Kernel {
		if fc.control(m, fr) {
			return
		}
	} else if m.Kernel && m.Module == "list" && (m.Key == "each" || m.Key == "asyncEach" || m.Key == "map") {
		if _, f, _ := fc.inputByKey(m, "*", "list"); f != nil {
			if list := fc.eventList(m, f); list != nil && fc.eventCall(m, fr, list) {
				return
			}
		}
		if e, _, ok := fc.inputByKey(m, "*", "list"); ok && fc.call(m, fr, e, "") {
			return
		}
	} else if m.Kernel && m.Module == "list" && m.Key == "filter" {
		if fc.filterCall(m, fr) {
			return
		}
	} else if m.Kernel {
		if fn := kernelFuncs[m.Module+"."+m.Key]; fn != nil {
			if note, ok := fc.function(m, fn); ok {
				fr.add(m, Converted, "expression", note)
				return
			}
		}
	} else if mp := actionMappings[m.Module+"."+m.Key]; mp != nil {
		if as, note, ok := fc.action(m, fc.choose(m, mp)); ok {
			fr.add(m, Converted, as, note)
			return
		}
	}
	name, note := fc.placeholder(m)
	fr.add(m, Placeholder, name, note)
}

// function inlines a kernel function card: its outputs become expressions
// in the cards that read them.
func (fc *flowConv) function(m *Method, fn kernelFunc) (string, bool) {
	a := &args{fc: fc, m: m}
	outs, note, ok := fn(a)
	if !ok {
		return "", false
	}
	for _, o := range m.Outputs {
		if e, ok := outs[o.Key]; ok {
			fc.setOutput(m, o, e)
		} else if e, ok := outs["*"]; ok {
			fc.setOutput(m, o, e)
		} else if e, ok := outs["."]; ok {
			fc.setOutput(m, o, pathExpr(e, o.Key))
		}
	}
	return note, true
}

// placeholder writes an okta_workflows.unconverted card: validate rejects
// it with the original card in the message, and later cards can still
// refer to its outputs.
func (fc *flowConv) placeholder(m *Method) (string, string) {
	b := fc.newCard(m, "okta_workflows.unconverted")
	var inputs []string
	vals := map[string]string{}
	var shown []string
	seen := namer{}
	for _, f := range m.Inputs {
		if f.Group == "context" {
			continue
		}
		e, ok := fc.input(m, f)
		if !ok {
			continue
		}
		k := seen.unique(f.Key)
		inputs = append(inputs, k)
		vals[k] = e
		short := strings.Join(strings.Fields(e), " ")
		if len(short) > 60 {
			short = short[:57] + "..."
		}
		shown = append(shown, fmt.Sprintf("%s = %s", f.Key, short))
	}
	orig := fmt.Sprintf("%s %q", m.Module+"."+m.Key, m.Title)
	if len(shown) > 0 {
		orig += " with inputs " + strings.Join(shown, ", ")
	}
	b.set("original", literal(orig))
	if len(inputs) > 0 {
		b.set("inputs", object(inputs, vals))
	}
	note := fc.placeholderNote(m)
	b.comments = append(b.comments, "Not converted from Okta Workflows: "+note)
	if n := fc.notes[m.UUID]; n != "" {
		note += " " + n
		b.comments = append(b.comments, n)
	}
	fc.emit(b)
	for _, o := range m.Outputs {
		fc.setOutput(m, o, attrPath("card."+b.label, o.Key))
	}
	return b.label, note
}

func (fc *flowConv) placeholderNote(m *Method) string {
	mp := actionMappings[m.Module+"."+m.Key]
	switch {
	case m.Kernel:
		return fmt.Sprintf("the function card %s.%s has no cardflow equivalent yet; write its result as an HCL expression in the cards that use it, then delete this card.", m.Module, m.Key)
	case mp != nil && fc.hasAction(mp.action):
		// The action exists, but the card's inputs or options did not fit
		// it (no app given, an option the action lacks).
		return fmt.Sprintf("the %s card %q could not be converted to %s; set its arguments by hand.", m.Module, m.Key, mp.action)
	case mp != nil:
		return fmt.Sprintf("the %s card %q maps to a cardflow action this build does not have; replace this card by hand.", m.Module, m.Key)
	case isOktaEvent(m):
		return fc.eventPlaceholderNote(m)
	case knownConnectors[m.Module]:
		return fmt.Sprintf("the %s card %q has no cardflow action yet; call the API with %s.api_call, or replace the card by hand.", m.Module, m.Key, m.Module)
	}
	return fmt.Sprintf("cardflow has no %s connector; call its API with http.request (credentials in secret_headers from env()), or drop the card.", m.Module)
}

// hasAction reports whether the registry has the action.
func (fc *flowConv) hasAction(action string) bool {
	if fc.im.reg == nil {
		return false
	}
	_, _, err := fc.im.reg.Action(action)
	return err == nil
}

var knownConnectors = map[string]bool{"okta": true, "servicenow": true}

// isTriggerCard reports whether m starts a flow: an event card, an API
// Endpoint or a Helper Flow card.
func isTriggerCard(m *Method) bool {
	if m.Kernel {
		return (m.Module == "http" && (m.Key == "accept" || m.Key == "delegated")) || (m.Module == "control" && m.Key == "callable")
	}
	if isOktaEvent(m) {
		return true
	}
	// Event cards of other connectors have the inputs type and data and a
	// collection output.
	var hasType, hasData bool
	for _, f := range m.Inputs {
		hasType = hasType || (f.Key == "type" && f.Group == "")
		hasData = hasData || (f.Key == "data" && f.Group == "")
	}
	return hasType && hasData
}

// args reads a function card's inputs by key.
type args struct {
	fc *flowConv
	m  *Method
}

// get returns the input's expression, "null" when it is neither wired nor
// set.
func (a *args) get(key string) string {
	e, f, ok := a.fc.inputByKey(a.m, "*", key)
	switch {
	case ok:
		return e
	case f != nil && f.Data != nil:
		// A blank text is an empty string to a function, not a null.
		return literal(f.Data)
	}
	return "null"
}

func (a *args) has(key string) bool {
	_, _, ok := a.fc.inputByKey(a.m, "*", key)
	return ok
}

// literalOf returns the literal value of an input that is not wired.
func (a *args) literalOf(key string) (any, bool) {
	for _, f := range a.m.Inputs {
		if f.Key == key {
			if len(a.fc.sources[a.m.UUID+"/"+f.ID]) > 0 {
				return nil, false
			}
			return f.Data, true
		}
	}
	return nil, false
}

// fields returns the card's own input fields (not context), in order.
func (a *args) fields() []*Field {
	var out []*Field
	for _, f := range a.m.Inputs {
		if f.Group != "context" {
			out = append(out, f)
		}
	}
	return out
}
