package query

import (
	"fmt"
	"strings"
)

// SyntaxError reports where and why an encoded query failed to parse.
// Offset is the byte offset in the query string of the offending clause.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("encoded query: offset %d: %s", e.Offset, e.Msg)
}

// operator is one spelling Parse accepts and the canonical Op it maps to.
type operator struct {
	spelling, canonical string
	unary               bool
}

// symbolOps are tried longest first at the first non-field character.
var symbolOps = []operator{
	{"!=", OpNe, false}, {"!*", OpNotLike, false},
	{">=", OpGe, false}, {"<=", OpLe, false},
	{"=", OpEq, false}, {">", OpGt, false}, {"<", OpLt, false},
	{"*", OpLike, false}, {"%", OpEndsWith, false},
}

// wordOps are upper-case operators; each spelling that is a prefix of
// another comes after it, so the first match is the longest.
var wordOps = []operator{
	{"ISNOTEMPTY", OpIsNotEmpty, true}, {"ISEMPTY", OpIsEmpty, true},
	{"ANYTHING", OpAnything, true}, {"EMPTYSTRING", OpEmptyString, true},
	{"NOT IN", OpNotIn, false}, {"NOTIN", OpNotIn, false},
	{"NOT LIKE", OpNotLike, false}, {"NOTLIKE", OpNotLike, false},
	{"NSAMEAS", OpNotSameAs, false}, {"SAMEAS", OpSameAs, false},
	{"IN", OpIn, false}, {"LIKE", OpLike, false},
	{"STARTSWITH", OpStartsWith, false}, {"ENDSWITH", OpEndsWith, false},
	{"BETWEEN", OpBetween, false},
}

// unsupportedOps are real platform operators this package does not evaluate
// (date, field-to-field and condition-only operators, reference §2.2), so
// that the error names them instead of calling them unknown. Longest first.
var unsupportedOps = []string{
	"GT_OR_EQUALS_FIELD", "LT_OR_EQUALS_FIELD", "IN_HIERARCHY", "CHANGESFROM", "RELATIVEGT", "RELATIVELT",
	"RELATIVEGE", "RELATIVELE", "RELATIVEEE", "VALCHANGES", "CHANGESTO", "DATEPART", "GT_FIELD", "LT_FIELD",
	"MORETHAN", "LESSTHAN", "DYNAMIC", "NOTON", "ON",
}

// unsupportedClauses are special clauses (related-list, text search,
// sub-queries and joins) the package does not implement.
var unsupportedClauses = []string{"123TEXTQUERY321", "ENDRLQUERY", "RLQUERY", "SUBQUERY", "JOIN"}

// Parse parses an encoded query. The empty string is a valid query that
// matches everything. Errors are *SyntaxError.
func Parse(s string) (*Query, error) {
	q := &Query{}
	if s == "" {
		return q, nil
	}
	var cur *Group // nil until the current group gets its first term
	newGroup := false
	off := 0
	for i, tok := range strings.Split(s, "^") {
		start := off
		off += len(tok) + 1
		if i == 0 && tok == "" && len(s) > 1 {
			continue // a leading ^, as some clients write "^ORDERBYnumber"
		}
		if i > 0 {
			switch {
			case tok == "EQ":
				continue
			case strings.HasPrefix(tok, "NQ"):
				if cur == nil && len(q.Groups) == 0 {
					return nil, &SyntaxError{start, "^NQ without a preceding condition"}
				}
				cur, newGroup = nil, true
				tok, start = tok[2:], start+2
			case strings.HasPrefix(tok, "OR") && !strings.HasPrefix(tok, "ORDERBY"):
				if cur == nil || newGroup {
					return nil, &SyntaxError{start, "^OR without a preceding condition"}
				}
				c, err := parseCond(tok[2:], start+2)
				if err != nil {
					return nil, err
				}
				t := &cur.Terms[len(cur.Terms)-1]
				t.Conds = append(t.Conds, c)
				continue
			}
		}
		if o, ok, err := parseOrder(tok, start); ok || err != nil {
			if err != nil {
				return nil, err
			}
			if newGroup {
				return nil, &SyntaxError{start, "empty ^NQ group before " + tok}
			}
			q.OrderBy = append(q.OrderBy, o)
			continue
		}
		c, err := parseCond(tok, start)
		if err != nil {
			return nil, err
		}
		if cur == nil {
			q.Groups = append(q.Groups, Group{})
			cur = &q.Groups[len(q.Groups)-1]
			newGroup = false
		}
		cur.Terms = append(cur.Terms, Term{Conds: []Cond{c}})
	}
	if newGroup {
		return nil, &SyntaxError{len(s), "empty ^NQ group at end of query"}
	}
	return q, nil
}

// parseOrder recognises ORDERBY<field> and ORDERBYDESC<field>.
func parseOrder(tok string, off int) (Order, bool, error) {
	var o Order
	switch {
	case strings.HasPrefix(tok, "ORDERBYDESC"):
		o = Order{Field: tok[len("ORDERBYDESC"):], Desc: true}
		off += len("ORDERBYDESC")
	case strings.HasPrefix(tok, "ORDERBY"):
		o = Order{Field: tok[len("ORDERBY"):]}
		off += len("ORDERBY")
	default:
		return o, false, nil
	}
	if o.Field == "" {
		return o, true, &SyntaxError{off, fmt.Sprintf("missing field name in %q", tok)}
	}
	if n := fieldLen(o.Field); n != len(o.Field) {
		return o, true, &SyntaxError{off + n, fmt.Sprintf("invalid field name in %q (field names are lower case letters, digits, _ and .)", tok)}
	}
	return o, true, nil
}

// parseCond splits `<field><op><value>`. Field names are lower case, so the
// operator starts at the first character that cannot be part of a field.
func parseCond(tok string, off int) (Cond, error) {
	if tok == "" {
		return Cond{}, &SyntaxError{off, "empty condition"}
	}
	n := fieldLen(tok)
	if n == 0 {
		for _, c := range unsupportedClauses {
			if strings.HasPrefix(tok, c) {
				return Cond{}, &SyntaxError{off, fmt.Sprintf("%s clauses are not supported in %q", c, tok)}
			}
		}
		return Cond{}, &SyntaxError{off, fmt.Sprintf("missing field name in %q", tok)}
	}
	rest := tok[n:]
	if rest == "" {
		return Cond{}, &SyntaxError{off + n, fmt.Sprintf("missing operator in %q", tok)}
	}
	op, ok := matchOp(rest)
	if !ok {
		for _, u := range unsupportedOps {
			if strings.HasPrefix(rest, u) {
				return Cond{}, &SyntaxError{off + n, fmt.Sprintf("operator %s is not supported in %q", u, tok)}
			}
		}
		return Cond{}, &SyntaxError{off + n, fmt.Sprintf("unknown operator in %q", tok)}
	}
	c := Cond{Field: tok[:n], Op: op.canonical, Value: rest[len(op.spelling):]}
	if op.unary && c.Value != "" {
		return Cond{}, &SyntaxError{off + n, fmt.Sprintf("operator %s takes no value in %q", op.canonical, tok)}
	}
	if op.canonical == OpBetween && !strings.Contains(c.Value, "@") {
		return Cond{}, &SyntaxError{off + n, fmt.Sprintf("BETWEEN needs two values separated by @ in %q", tok)}
	}
	if (op.canonical == OpSameAs || op.canonical == OpNotSameAs) && fieldLen(c.Value) != len(c.Value) {
		return Cond{}, &SyntaxError{off + n, fmt.Sprintf("%s needs a field name in %q", op.canonical, tok)}
	}
	return c, nil
}

func matchOp(s string) (operator, bool) {
	ops := symbolOps
	if s[0] >= 'A' && s[0] <= 'Z' {
		ops = wordOps
	}
	for _, op := range ops {
		if strings.HasPrefix(s, op.spelling) {
			return op, true
		}
	}
	return operator{}, false
}

// fieldLen returns the length of the field-name prefix of s: lower case
// letters, digits, '_' and '.' (dot-walking), starting with a letter or '_'.
func fieldLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case (c >= '0' && c <= '9') || c == '.':
			if i == 0 {
				return 0
			}
		default:
			return i
		}
	}
	return len(s)
}
