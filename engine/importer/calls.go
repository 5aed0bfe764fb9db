package importer

import (
	"encoding/json"
	"fmt"
	"strings"
)

// call converts Call Flow, If Error and For Each cards into flow.call.
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
	if m.Key == "tryCatch" {
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
			f, err := inlineFlow(x, fc.out.name+" "+m.Title)
			if err != nil {
				return "", nil, err
			}
			fo := fc.im.queue(f, fc.f.Name)
			return "flow." + fo.name, fo, nil
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

func inlineFlow(x map[string]any, name string) (*Flow, error) {
	data, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
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
