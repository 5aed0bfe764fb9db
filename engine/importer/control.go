package importer

import (
	"fmt"
	"strconv"
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
		switch reply := fc.endpointReply(); {
		case reply == "raw" && m.Key == "returnRaw":
			// Return Raw's statusCode, headers and body, by the names of
			// the raw reply (those of http.request's output).
			b.set("result", object([]string{"status", "headers", "body"}, map[string]string{
				"status": fc.arg(m, "statusCode"), "headers": fc.arg(m, "headers"), "body": fc.arg(m, "body"),
			}))
		case reply == "raw":
			// A Return beside a Return Raw: 200 with its fields as JSON.
			b.set("result", object([]string{"body"}, map[string]string{"body": object(keys, vals)}))
		case len(keys) > 0:
			b.set("result", object(keys, vals))
		case reply == "result":
			b.set("result", "{}") // Okta Workflows answers an empty Return 200 {}
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
	case "wait":
		u, _ := fc.inputLiteral(m, "", "unit")
		us, _ := u.(string)
		suffix := waitUnits[strings.TrimSuffix(strings.ToLower(us), "s")]
		if suffix == "" || fc.im.reg == nil {
			return false
		}
		if _, _, err := fc.im.reg.Action("flow.wait"); err != nil {
			return false
		}
		b := fc.newCard(m, "flow.wait")
		d := fc.arg(m, "delay")
		if _, err := strconv.ParseFloat(d, 64); err == nil {
			b.set("for", `"`+d+suffix+`"`)
		} else {
			b.set("for", `"${`+d+`}`+suffix+`"`)
		}
		fc.emit(b)
		fr.add(m, Converted, b.label, "")
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
		return fc.tryCatch(m, fr)
	case "branch":
		return fc.branch(m, fr)
	default:
		return false
	}
	return true
}

// endpointReply is how an API Endpoint flow's Return cards answer its
// caller, set as the reply of its http.endpoint trigger: "raw" when the
// flow has a Return Raw card (which sets the status and headers), else
// "result". It is "" in other flows, whose Return cards answer a calling
// flow (helper flows) or no one.
func (fc *flowConv) endpointReply() string {
	t := fc.out.trigger
	if t == nil || t.label != "http.endpoint" {
		return ""
	}
	reply := "result"
	for _, m := range fc.f.Methods {
		if m.Module == "control" && m.Key == "returnRaw" {
			reply = "raw"
		}
	}
	for _, a := range t.attrs {
		if a.name == "reply" {
			return reply
		}
	}
	t.set("reply", strconv.Quote(reply))
	return reply
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
	case "is empty", "is not empty":
		return emptiness(a, fc.listOperand(m, "", "left-operand"), op == "is not empty", hclSyntax), true
	case "in":
		return fmt.Sprintf("contains(%s, %s)", b, a), true
	case "not in":
		return fmt.Sprintf("!contains(%s, %s)", b, a), true
	}
	return "", false
}

// waitUnits are Wait For's units as flow.wait duration suffixes.
var waitUnits = map[string]string{"second": "s", "minute": "m", "hour": "h", "day": "d"}

var comparisons = map[string]string{"==": "==", "!=": "!=", ">=": ">=", "<=": "<=", ">": ">", "<": "<"}

// predicate builds the expr-lang condition of a comparison card (left
// operand, operator, right operand) in group.
func (fc *flowConv) predicate(m *Method, group string) (string, bool) {
	opV, _ := fc.inputLiteral(m, group, "operator")
	op, _ := opV.(string)
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
			// emptiness guards a read of a first item itself.
			if _, inner, ok := unguardFirst(e); ok && isReference(inner) && key == "left-operand" && (op == "is empty" || op == "is not empty") {
				return inner, true
			}
			if g, ok := exprLangFirst(e); ok {
				return g, true
			}
			return fc.materialize(m, key, e), true
		}
		return "nil", true
	}
	a, ok1 := operand("left-operand")
	b, ok2 := operand("right-operand")
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
	case "is empty", "is not empty":
		return emptiness(a, fc.listOperand(m, group, "left-operand"), op == "is not empty", exprLangSyntax), true
	}
	return "", false
}

// listOperand reports whether the operand with key reads a list output.
func (fc *flowConv) listOperand(m *Method, group, key string) bool {
	for _, f := range m.Inputs {
		if f.Key != key || f.Group != group {
			continue
		}
		for _, s := range fc.sources[m.UUID+"/"+f.ID] {
			id, out, _ := strings.Cut(s, "/")
			if src := fc.f.byID[id]; src != nil {
				if o := src.Output(out); o != nil && o.Collection {
					return true
				}
			}
		}
	}
	return false
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
