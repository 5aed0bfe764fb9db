package importer

import (
	"encoding/json"
	"fmt"
	"strings"
)

// control converts the kernel's control cards. It reports false for a card
// it cannot convert.
func (fc *flowConv) control(m *Method, fr *FlowReport) bool {
	switch m.Key {
	case "comment":
		if m.Comments != "" {
			fc.pending = append(fc.pending, m.Comments)
		}
		fr.add(m, Converted, "comment", "")
	case "noop":
		fr.add(m, Converted, "nothing", "")
	case "callable":
		// A second Helper Flow card, or one in a scheduled flow: its fields
		// are the caller's input.
		scheduled := fc.out.trigger != nil && fc.out.trigger.label == "schedule.cron"
		for _, o := range m.Outputs {
			switch {
			case scheduled && o.Key == "execution_time":
				fc.setOutput(m, o, "trigger.time")
			case scheduled:
				fc.setOutput(m, o, "null")
			default:
				fc.setOutput(m, o, attrPath("trigger.input", o.Key))
			}
		}
		fr.add(m, Converted, "trigger", "")
	case "let", "join":
		fc.passThrough(m)
		fr.add(m, Converted, "expression", "")
	case "if":
		c, ok := fc.predicate(m, "")
		if !ok {
			return false
		}
		fc.exprs[m.UUID+"/__cond"] = c
		if h, ok := fc.hclPredicate(m); ok {
			fc.exprs[m.UUID+"/__hcl"] = h
		}
		for _, o := range m.Outputs {
			fc.setOutput(m, o, "null")
		}
		fr.add(m, Converted, "if on the branch cards", "")
	case "continueIf":
		c, ok := fc.predicate(m, "")
		if !ok {
			return false
		}
		b := fc.newCard(m, "flow.return")
		b.and("!(" + c + ")")
		b.set("status", `"halted"`)
		if e, _, ok := fc.inputByKey(m, "otherwise", "message"); ok {
			b.set("reason", e)
		}
		fc.emit(b)
		fr.add(m, Converted, b.label, "")
	case "return", "returnRaw":
		b := fc.newCard(m, "flow.return")
		keys, vals := fc.inputObject(m)
		if len(keys) > 0 {
			b.set("result", object(keys, vals))
		}
		fc.emit(b)
		fr.add(m, Converted, b.label, "")
	case "assignIf":
		c, ok := fc.hclPredicate(m)
		if !ok {
			return false
		}
		for _, o := range m.Outputs {
			fc.setOutput(m, o, fmt.Sprintf("(%s ? %s : %s)", c, fc.arg(m, "valueIfTrue"), fc.arg(m, "valueIfFalse")))
		}
		fr.add(m, Converted, "expression", "")
	case "lookup":
		var keys []string
		vals := map[string]string{}
		for _, f := range m.Inputs {
			if f.Group == "options" {
				if e, ok := fc.input(m, f); ok {
					keys = append(keys, f.Key)
					vals[f.Key] = e
				}
			}
		}
		for _, o := range m.Outputs {
			fc.setOutput(m, o, fmt.Sprintf("lookup(%s, %s, %s)", object(keys, vals), fc.arg(m, "key"), fc.arg(m, "else")))
		}
		fr.add(m, Converted, "expression", "")
	case "times":
		return fc.call(m, fr, "range("+fc.arg(m, "count")+")", "")
	case "throwIf", "throw":
		b := fc.newCard(m, "flow.fail")
		if m.Key == "throwIf" {
			c, ok := fc.predicate(m, "")
			if !ok {
				fc.names[b.label] = false
				return false
			}
			b.and(c)
		}
		msg := fc.arg(m, "message")
		if msg == "null" || msg == `""` {
			msg = literal(m.Title)
		}
		b.set("message", msg)
		fc.emit(b)
		fr.add(m, Converted, b.label, "")
	case "spawn", "run":
		return fc.call(m, fr, "", "")
	case "tryCatch":
		return fc.call(m, fr, "", "the If Error card's error branch is not converted: the call goes on after a failure (on_error = continue) and its output is the error; add the handling cards after it.")
	case "branch":
		return fc.branch(m, fr)
	default:
		return false
	}
	return true
}

// passThrough converts Assign and Join cards: each output is the input of
// the same key (Assign) or joined to it (Join).
func (fc *flowConv) passThrough(m *Method) {
	byKey := map[string]string{}
	for _, f := range m.Inputs {
		e, ok := fc.input(m, f)
		if !ok {
			e = "null"
		}
		byKey[f.Key] = e
		for _, out := range m.Joins[f.ID] {
			fc.exprs[m.UUID+"/"+out] = e
		}
	}
	for _, o := range m.Outputs {
		if _, done := fc.exprs[m.UUID+"/"+o.ID]; done {
			continue
		}
		if e, ok := byKey[o.Key]; ok {
			fc.setOutput(m, o, e)
		} else {
			fc.setOutput(m, o, "null")
		}
	}
}

// inputObject returns the card's own inputs as an object's keys and values.
func (fc *flowConv) inputObject(m *Method) ([]string, map[string]string) {
	var keys []string
	vals := map[string]string{}
	seen := namer{}
	for _, f := range m.Inputs {
		if f.Group == "context" || f.Key == "flo" || f.Type == "flo" {
			continue
		}
		e, ok := fc.input(m, f)
		if !ok {
			e = "null"
		}
		k := seen.unique(f.Key)
		keys = append(keys, k)
		vals[k] = e
	}
	return keys, vals
}

// arg is the expression of the input with key, "null" when it is unset.
func (fc *flowConv) arg(m *Method, key string) string {
	return (&args{fc: fc, m: m}).get(key)
}

// hclPredicate is the HCL condition of a comparison card's operands.
func (fc *flowConv) hclPredicate(m *Method) (string, bool) {
	a, b := fc.arg(m, "left-operand"), fc.arg(m, "right-operand")
	opV, _ := fc.inputLiteral(m, "", "operator")
	op, _ := opV.(string)
	if c := comparisons[op]; c != "" {
		return fmt.Sprintf("%s %s %s", a, c, b), true
	}
	switch op {
	case "is empty":
		return fmt.Sprintf("(%s == null || %s == \"\")", a, a), true
	case "is not empty":
		return fmt.Sprintf("(%s != null && %s != \"\")", a, a), true
	case "in":
		return fmt.Sprintf("contains(%s, %s)", b, a), true
	case "not in":
		return fmt.Sprintf("!contains(%s, %s)", b, a), true
	}
	return "", false
}

var comparisons = map[string]string{"==": "==", "!=": "!=", ">=": ">=", "<=": "<=", ">": ">", "<": "<"}

// predicate builds the expr-lang condition of a comparison card (left
// operand, operator, right operand) in group.
func (fc *flowConv) predicate(m *Method, group string) (string, bool) {
	operand := func(key string) (string, bool) {
		for _, f := range m.Inputs {
			if f.Key != key || f.Group != group {
				continue
			}
			if len(fc.sources[m.UUID+"/"+f.ID]) == 0 {
				return exprLangLiteral(f.Data)
			}
			e, _ := fc.input(m, f)
			if isReference(e) {
				return e, true
			}
			return fc.materialize(m, key, e), true
		}
		return "nil", true
	}
	a, ok1 := operand("left-operand")
	b, ok2 := operand("right-operand")
	opV, _ := fc.inputLiteral(m, group, "operator")
	op, _ := opV.(string)
	if !ok1 || !ok2 {
		return "", false
	}
	if c := comparisons[op]; c != "" {
		return a + " " + c + " " + b, true
	}
	switch op {
	case "%":
		return a + " % " + b + " == 0", true
	case "in":
		return a + " in " + b, true
	case "not in":
		return "!(" + a + " in " + b + ")", true
	case "has":
		return b + " in " + a, true
	case "doesn't have":
		return "!(" + b + " in " + a + ")", true
	case "is empty":
		return "(" + a + " == nil || " + a + " == '')", true
	case "is not empty":
		return "(" + a + " != nil && " + a + " != '')", true
	}
	return "", false
}

func (fc *flowConv) inputLiteral(m *Method, group, key string) (any, bool) {
	for _, f := range m.Inputs {
		if f.Key == key && f.Group == group {
			return f.Data, true
		}
	}
	return nil, false
}

// materialize makes an HCL expression readable from expr-lang: a
// json.parse card holds its value.
func (fc *flowConv) materialize(m *Method, key, expr string) string {
	b := &block{kind: "card", label: fc.names.unique(snake(m.Title) + "_" + snake(key))}
	b.comments = []string{fmt.Sprintf("The %s of %q, for the condition below.", strings.ReplaceAll(key, "-", " "), m.Title)}
	b.set("action", "json.parse")
	b.set("text", "jsonencode("+expr+")")
	fc.emit(b)
	return "card." + b.label + ".value"
}

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
