package emulator

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// expr is a parsed filter or search expression in the subset of SCIM that
// Okta accepts: attr op "value", attr pr, and/or, parentheses.
type expr interface {
	match(get attrFunc) bool
}

// attrFunc returns the values of an attribute; several for arrays such as
// target.id in log events.
type attrFunc func(attr string) []string

type cmpExpr struct {
	attr, op, value string
}

type boolExpr struct {
	and         bool
	left, right expr
}

func (b boolExpr) match(get attrFunc) bool {
	if b.and {
		return b.left.match(get) && b.right.match(get)
	}
	return b.left.match(get) || b.right.match(get)
}

func (c cmpExpr) match(get attrFunc) bool {
	vals := get(c.attr)
	if c.op == "pr" {
		for _, v := range vals {
			if v != "" {
				return true
			}
		}
		return false
	}
	if c.op == "ne" {
		for _, v := range vals {
			if strings.EqualFold(v, c.value) {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if compare(v, c.op, c.value) {
			return true
		}
	}
	return false
}

func compare(v, op, want string) bool {
	lv, lw := strings.ToLower(v), strings.ToLower(want)
	switch op {
	case "eq":
		return lv == lw
	case "sw":
		return strings.HasPrefix(lv, lw)
	case "ew":
		return strings.HasSuffix(lv, lw)
	case "co":
		return strings.Contains(lv, lw)
	}
	d := orderOf(v, want)
	switch op {
	case "gt":
		return d > 0
	case "ge":
		return d >= 0
	case "lt":
		return d < 0
	case "le":
		return d <= 0
	}
	return false
}

// orderOf compares timestamps as times and anything else as strings.
func orderOf(a, b string) int {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA == nil && errB == nil {
		return ta.Compare(tb)
	}
	return strings.Compare(a, b)
}

var filterOps = map[string]bool{"eq": true, "ne": true, "sw": true, "ew": true, "co": true,
	"gt": true, "ge": true, "lt": true, "le": true, "pr": true}

// orderOps are the comparisons of a timestamp.
var orderOps = map[string]bool{"eq": true, "gt": true, "ge": true, "lt": true, "le": true}

// grammar is what one query parameter of one endpoint accepts. The zero
// value accepts every attribute, operator and value.
type grammar struct {
	// allowed, when non-nil, says whether attr may be compared with op.
	allowed func(attr, op string) bool
	// quoted requires every value to be a quoted string.
	quoted bool
}

// anyAttr is a grammar's allowed that takes any attribute set accepts,
// with any operator.
func anyAttr(set func(string) bool) func(attr, op string) bool {
	return func(attr, _ string) bool { return set(attr) }
}

// parseFilter parses s under g.
func parseFilter(s string, g grammar) (expr, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, g: g}
	x, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos].text)
	}
	return x, nil
}

type token struct {
	text   string
	quoted bool
}

func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			toks = append(toks, token{text: string(c)})
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			toks = append(toks, token{text: b.String(), quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && s[j] != '(' && s[j] != ')' && s[j] != '"' {
				j++
			}
			toks = append(toks, token{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

type parser struct {
	toks []token
	pos  int
	g    grammar
}

func (p *parser) peekWord(w string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *parser) or() (expr, error) {
	left, err := p.and()
	for err == nil && p.peekWord("or") {
		p.pos++
		var right expr
		if right, err = p.and(); err == nil {
			left = boolExpr{left: left, right: right}
		}
	}
	return left, err
}

func (p *parser) and() (expr, error) {
	left, err := p.term()
	for err == nil && p.peekWord("and") {
		p.pos++
		var right expr
		if right, err = p.term(); err == nil {
			left = boolExpr{and: true, left: left, right: right}
		}
	}
	return left, err
}

func (p *parser) term() (expr, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("unexpected end of expression")
	}
	if p.peekWord("(") {
		p.pos++
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.peekWord(")") {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return x, nil
	}
	if p.pos+1 >= len(p.toks) {
		return nil, fmt.Errorf("incomplete comparison after %q", p.toks[p.pos].text)
	}
	attr, op := p.toks[p.pos].text, strings.ToLower(p.toks[p.pos+1].text)
	if p.toks[p.pos].quoted || !filterOps[op] {
		return nil, fmt.Errorf("invalid comparison %q %q", attr, op)
	}
	if p.g.allowed != nil && !p.g.allowed(attr, op) {
		return nil, fmt.Errorf("unsupported attribute or operator %q %s", attr, op)
	}
	p.pos += 2
	if op == "pr" {
		return cmpExpr{attr: attr, op: op}, nil
	}
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("missing value after %s %s", attr, op)
	}
	v := p.toks[p.pos]
	if p.g.quoted && !v.quoted {
		return nil, fmt.Errorf("the value %s of %s %s must be a quoted string", v.text, attr, op)
	}
	p.pos++
	return cmpExpr{attr: attr, op: op, value: v.text}, nil
}
