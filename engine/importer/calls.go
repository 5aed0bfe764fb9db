package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// call converts Call Flow, For Each, Map and Times cards into flow.call.
func (fc *flowConv) call(m *Method, fr *FlowReport, forEach, note string) bool {
	var floField *Field
	for _, f := range m.Inputs {
		if f.Key == "flo" {
			floField = f
			break
		}
	}
	if floField == nil {
		return false
	}
	ref, helper, err := fc.helper(m, floField.Data)
	if err != nil {
		return false
	}
	b := fc.newCard(m, "flow.call")
	b.set("flow", ref)
	if forEach != "" {
		b.set("for_each", forEach)
	}
	keys, vals := fc.inputObject(m)
	if forEach != "" && m.Key != "times" {
		keys, vals = fc.eachInput(m, helper)
	} else if m.Key == "times" {
		keys, vals = fc.inputObject(m)
		keys = without(keys, "count", "concurrency")
	}
	if len(keys) > 0 {
		b.set("input", object(keys, vals))
	}
	if m.Key == "asyncEach" {
		// For Each – Ignore Errors goes on with the other items when the
		// flow fails for one.
		b.set("on_error", "continue")
	}
	fc.emit(b)
	for _, o := range m.Outputs {
		switch {
		case forEach != "" && m.Key == "map":
			// A for_each card's value holds one output per item.
			fc.setOutput(m, o, "[for r in card."+b.label+" : r.result]")
		default:
			fc.setOutput(m, o, attrPath("card."+b.label+".result", o.Key))
		}
	}
	fr.add(m, Converted, b.label, note)
	return true
}

// filterCall converts Filter (Custom): its flow is called for each item,
// and the items it returns true for are kept, in their order. The calls
// are keyed by the item's index, so that equal items are each asked, as
// Okta Workflows does.
func (fc *flowConv) filterCall(m *Method, fr *FlowReport) bool {
	list, _, ok := fc.inputByKey(m, "*", "list")
	_, flo, _ := fc.inputByKey(m, "*", "flo")
	if !ok || flo == nil {
		return false
	}
	ref, helper, err := fc.helper(m, flo.Data)
	if err != nil || helper == nil {
		return false
	}
	field := returnedField(helper.src)
	if field == "" {
		return false
	}
	b := fc.newCard(m, "flow.call")
	b.set("flow", ref)
	b.set("for_each", "{ for i, x in "+list+" : tostring(i) => x }")
	keys, vals := fc.eachInput(m, helper)
	b.set("input", object(keys, vals))
	fc.emit(b)
	kept := fmt.Sprintf("[for i, x in %s : x if %s]", list, attrPath("card."+b.label+"[tostring(i)].result", field))
	for _, o := range m.Outputs {
		fc.setOutput(m, o, kept)
	}
	fr.add(m, Converted, b.label, "")
	return true
}

// returnedField is the one field the Return cards of a Filter's flow
// return (true keeps the item), "" when they return none or several.
func returnedField(f *Flow) string {
	field := ""
	for _, m := range f.Methods {
		if !m.Kernel || m.Module != "control" || m.Key != "return" {
			continue
		}
		for _, in := range m.Inputs {
			if in.Group == "context" {
				continue
			}
			if field != "" && field != in.Key {
				return ""
			}
			field = in.Key
		}
	}
	return field
}

func without(keys []string, drop ...string) []string {
	var out []string
	for _, k := range keys {
		keep := true
		for _, d := range drop {
			keep = keep && k != d
		}
		if keep {
			out = append(out, k)
		}
	}
	return out
}

// eachInput passes each item of a For Each to the helper's first input,
// and the card's other inputs by name.
func (fc *flowConv) eachInput(m *Method, helper *flowOut) ([]string, map[string]string) {
	vals := map[string]string{}
	var keys []string
	if helper != nil && len(helper.helperInputs) > 0 {
		keys = append(keys, helper.helperInputs[0])
		vals[helper.helperInputs[0]] = "each.value"
	} else {
		keys = append(keys, "item")
		vals["item"] = "each.value"
	}
	return fc.otherInputs(m, keys, vals)
}

// helper resolves the flow a card calls: a flow of the export by id, or a
// flow embedded in the card (If Error, If/ElseIf), cut out as a helper.
func (fc *flowConv) helper(m *Method, v any) (string, *flowOut, error) {
	id := ""
	switch x := v.(type) {
	case string:
		id = x
	case map[string]any:
		id, _ = x["id"].(string)
		if _, inline := x["methods"]; inline {
			return fc.inlineHelper(m, x, m.Title)
		}
	}
	if id == "" {
		return "", nil, fmt.Errorf("no flow")
	}
	if ref, fo := fc.flowRef(id); fo != nil {
		return ref, fo, nil
	}
	return "", nil, fmt.Errorf("flow %s is not in the export", id)
}

// inlineHelper cuts a flow embedded in card m out as a helper flow named
// after the flow and suffix. The helper is keyed by its content, not by
// its id: a copied flow keeps the ids of its embedded flows even where
// their cards differ, and each must call its own.
func (fc *flowConv) inlineHelper(m *Method, x map[string]any, suffix string) (string, *flowOut, error) {
	data, err := json.Marshal(x) // map keys sorted: the same content, the same key
	if err != nil {
		return "", nil, err
	}
	f, err := inlineFlow(data, x, fc.out.name+" "+suffix)
	if err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256(data)
	fo := fc.im.queueInline(f, fc.f.Name, hex.EncodeToString(sum[:]))
	return "flow." + fo.name, fo, nil
}

func inlineFlow(data []byte, x map[string]any, name string) (*Flow, error) {
	var rf rawFlow
	rf.Data = &struct {
		Methods   []*rawMethod         `json:"methods"`
		Orderings map[string][2]string `json:"orderings"`
		Cron      map[string]any       `json:"cron"`
		Scheduled bool                 `json:"scheduled"`
	}{}
	if err := json.Unmarshal(data, rf.Data); err != nil {
		return nil, err
	}
	id, _ := x["id"].(string)
	rf.Name = name
	return parseFlow(id, &rf)
}

// branch converts an If/ElseIf card: each branch is an embedded flow,
// called when its condition holds and no earlier one did.
func (fc *flowConv) branch(m *Method, fr *FlowReport) bool {
	var groups []string
	for _, f := range m.Inputs {
		if f.Key == "flo" {
			groups = append(groups, f.Group)
		}
	}
	if len(groups) == 0 {
		return false
	}
	var earlier []string
	var blocks []*block
	for _, g := range groups {
		var floV any
		for _, f := range m.Inputs {
			if f.Key == "flo" && f.Group == g {
				floV = f.Data
			}
		}
		if floV == nil {
			continue
		}
		ref, _, err := fc.helper(m, floV)
		if err != nil {
			return false
		}
		cond := ""
		if g != "else" {
			c, ok := fc.predicate(m, g)
			if !ok {
				return false
			}
			cond = c
		}
		var parts []string
		for _, e := range earlier {
			parts = append(parts, "!("+e+")")
		}
		if cond != "" {
			parts = append(parts, "("+cond+")")
			earlier = append(earlier, cond)
		}
		b := &block{kind: "card", label: fc.names.unique(snake(m.Title) + "_" + snake(g))}
		b.set("action", "flow.call")
		if c := fc.conds[m.UUID]; c != "" {
			b.and(fc.condition(c))
		}
		if len(parts) > 0 {
			b.and(strings.Join(parts, " && "))
		}
		b.set("flow", ref)
		keys, vals := fc.contextInputs(m)
		if len(keys) > 0 {
			b.set("input", object(keys, vals))
		}
		blocks = append(blocks, b)
	}
	if len(blocks) > 0 {
		blocks[0].comments = append(fc.pending, blocks[0].comments...)
		fc.pending = nil
	}
	for _, b := range blocks {
		fc.emit(b)
	}
	var exprs []string
	for _, b := range blocks {
		exprs = append(exprs, "card."+b.label+".result")
	}
	for _, o := range m.Outputs {
		var es []string
		for _, e := range exprs {
			es = append(es, attrPath(e, o.Key))
		}
		fc.setOutput(m, o, "coalesce("+strings.Join(es, ", ")+")")
	}
	fr.add(m, Converted, blocks[0].label, "")
	return true
}

// contextInputs are the values an If/ElseIf hands to its branches.
func (fc *flowConv) contextInputs(m *Method) ([]string, map[string]string) {
	var keys []string
	vals := map[string]string{}
	for _, f := range m.Inputs {
		if f.Group != "context" {
			continue
		}
		if e, ok := fc.input(m, f); ok {
			keys = append(keys, f.Key)
			vals[f.Key] = e
		}
	}
	return keys, vals
}

// tryCatch converts an If Error card. Its flow becomes a helper called
// with the values it reads, with on_error = continue; its error branch
// becomes a second helper, called with the error when the first failed.
// The card's outputs are the result of the one that ran.
func (fc *flowConv) tryCatch(m *Method, fr *FlowReport) bool {
	var floV any
	for _, f := range m.Inputs {
		if f.Key == "flo" {
			floV = f.Data
		}
	}
	if floV == nil {
		return false
	}
	ref, _, err := fc.helper(m, floV)
	if err != nil {
		return false
	}
	var handler *flowOut
	handlerRef := ""
	if m.ErrorFlow != nil {
		if handlerRef, handler, err = fc.inlineHelper(m, m.ErrorFlow, m.Title+" error"); err != nil {
			return false
		}
	}
	b := fc.newCard(m, "flow.call")
	b.set("flow", ref)
	keys, vals := fc.contextInputs(m)
	if len(keys) > 0 {
		b.set("input", object(keys, vals))
	}
	b.set("on_error", "continue")
	fc.emit(b)
	result := "card." + b.label + ".result"
	note := "the If Error card's error branch is not converted: the call goes on after a failure (on_error = continue) and its output is the error; add the handling cards after it."
	if handler != nil {
		h := &block{kind: "card", label: fc.names.unique(b.label + "_error")}
		h.set("action", "flow.call")
		if c := fc.conds[m.UUID]; c != "" {
			h.and(fc.condition(c))
		}
		h.and("card." + b.label + ".error != nil")
		h.set("flow", handlerRef)
		h.set("input", object(fc.errorInputs(handler, b.label, keys, vals)))
		fc.emit(h)
		result = fmt.Sprintf("(card.%s.error == null ? %s : card.%s.result)", b.label, result, h.label)
		note = fmt.Sprintf("when %s fails, %s calls the error branch, %s, with the error (cardflow's {kind, message, status, code}, not Okta Workflows' error object) and the flow goes on.", strings.TrimPrefix(ref, "flow."), h.label, strings.TrimPrefix(handlerRef, "flow."))
	}
	for _, o := range m.Outputs {
		fc.setOutput(m, o, attrPath(result, o.Key))
	}
	fr.add(m, Converted, b.label, note)
	return true
}

// errorInputs are the values an If Error card hands its error branch: the
// error of the call, and those of the card's values the branch reads.
func (fc *flowConv) errorInputs(handler *flowOut, call string, keys []string, vals map[string]string) ([]string, map[string]string) {
	reads := map[string]bool{}
	for _, m := range handler.src.Methods {
		if m.Module == "control" && m.Key == "callable" {
			for _, o := range m.Outputs {
				reads[o.Key] = true
			}
		}
	}
	out := []string{"error"}
	outVals := map[string]string{"error": "card." + call + ".error"}
	for _, k := range keys {
		if reads[k] && k != "error" {
			out = append(out, k)
			outVals[k] = vals[k]
		}
	}
	return out, outVals
}

// otherInputs adds the inputs of For Each card m that are not its list,
// its helper or its settings, by name, after the keys already in vals.
func (fc *flowConv) otherInputs(m *Method, keys []string, vals map[string]string) ([]string, map[string]string) {
	for _, f := range m.Inputs {
		if f.Group == "context" || f.Key == "flo" || f.Key == "list" || f.Key == "concurrency" || vals[f.Key] != "" {
			continue
		}
		if e, ok := fc.input(m, f); ok {
			keys = append(keys, f.Key)
			vals[f.Key] = e
		}
	}
	return keys, vals
}
