package query

import (
	"slices"
	"strings"
)

// Query is a parsed encoded query: groups separated by ^NQ (ORed together)
// plus the ORDERBY clauses, which apply to the whole query.
// A Query without groups matches every record. Queries built by hand must
// keep every Group and Term non-empty (as Parse does) to print parseably.
type Query struct {
	Groups  []Group
	OrderBy []Order
}

// Group is one ^NQ-separated part of a query; its terms are ANDed.
type Group struct {
	Terms []Term
}

// Term is one or more conditions joined by ^OR; they are ORed.
type Term struct {
	Conds []Cond
}

// Cond is one condition, `<Field><Op><Value>`. Op is always the canonical
// spelling (see the Op constants); Value is empty for unary operators.
type Cond struct {
	Field, Op, Value string
}

// Order is one ORDERBY (Desc false) or ORDERBYDESC (Desc true) clause.
type Order struct {
	Field string
	Desc  bool
}

// Canonical operator spellings. Parse maps the aliases NOTIN, NOTLIKE, *, !*
// and % onto these.
const (
	OpEq          = "="
	OpNe          = "!="
	OpGt          = ">"
	OpGe          = ">="
	OpLt          = "<"
	OpLe          = "<="
	OpIn          = "IN"
	OpNotIn       = "NOT IN"
	OpLike        = "LIKE"
	OpNotLike     = "NOT LIKE"
	OpStartsWith  = "STARTSWITH"
	OpEndsWith    = "ENDSWITH"
	OpIsEmpty     = "ISEMPTY"
	OpIsNotEmpty  = "ISNOTEMPTY"
	OpAnything    = "ANYTHING"
	OpEmptyString = "EMPTYSTRING"
	OpBetween     = "BETWEEN"
	OpSameAs      = "SAMEAS"
	OpNotSameAs   = "NSAMEAS"
)

// String prints the query canonically: groups joined by ^NQ, terms by ^,
// conditions by ^OR, then the ORDERBY clauses. Parse(q.String()) yields a
// Query equal to q for every q that Parse returned.
func (q *Query) String() string {
	if q == nil {
		return ""
	}
	var parts []string
	groups := make([]string, 0, len(q.Groups))
	for _, g := range q.Groups {
		groups = append(groups, g.String())
	}
	if len(groups) > 0 {
		parts = append(parts, strings.Join(groups, "^NQ"))
	}
	for _, o := range q.OrderBy {
		parts = append(parts, o.String())
	}
	return strings.Join(parts, "^")
}

// String prints the group's terms joined by ^.
func (g Group) String() string {
	terms := make([]string, 0, len(g.Terms))
	for _, t := range g.Terms {
		terms = append(terms, t.String())
	}
	return strings.Join(terms, "^")
}

// String prints the term's conditions joined by ^OR.
func (t Term) String() string {
	conds := make([]string, 0, len(t.Conds))
	for _, c := range t.Conds {
		conds = append(conds, c.String())
	}
	return strings.Join(conds, "^OR")
}

// String prints the condition as `<Field><Op><Value>`.
func (c Cond) String() string { return c.Field + c.Op + c.Value }

// String prints ORDERBY<field> or ORDERBYDESC<field>.
func (o Order) String() string {
	if o.Desc {
		return "ORDERBYDESC" + o.Field
	}
	return "ORDERBY" + o.Field
}

// Fields returns every field the query references (conditions, SAMEAS
// targets and ORDERBY clauses), each once, in order of first appearance.
// `cardflow validate` checks them against a table's schema.
func (q *Query) Fields() []string {
	if q == nil {
		return nil
	}
	var out []string
	add := func(f string) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, g := range q.Groups {
		for _, t := range g.Terms {
			for _, c := range t.Conds {
				add(c.Field)
				if c.Op == OpSameAs || c.Op == OpNotSameAs {
					add(c.Value)
				}
			}
		}
	}
	for _, o := range q.OrderBy {
		add(o.Field)
	}
	return out
}

// Clone returns a deep copy of q.
func (q *Query) Clone() *Query {
	if q == nil {
		return nil
	}
	out := &Query{OrderBy: slices.Clone(q.OrderBy)}
	for _, g := range q.Groups {
		out.Groups = append(out.Groups, g.clone())
	}
	return out
}

func (g Group) clone() Group {
	out := Group{Terms: make([]Term, 0, len(g.Terms))}
	for _, t := range g.Terms {
		out.Terms = append(out.Terms, Term{Conds: slices.Clone(t.Conds)})
	}
	return out
}

// And returns (a) AND (b) as a new query. Because ^NQ groups are independent,
// a filter must be repeated inside every group: the result has one group per
// pair of groups of a and b, (a_i AND b_j). This is how a domain filter is
// combined with a keyset cursor query. ORDERBY clauses are a's followed by
// those of b's that a does not already order by. Either side may be nil.
func And(a, b *Query) *Query {
	switch {
	case a == nil && b == nil:
		return &Query{}
	case a == nil:
		return b.Clone()
	case b == nil:
		return a.Clone()
	}
	out := &Query{OrderBy: slices.Clone(a.OrderBy)}
	for _, o := range b.OrderBy {
		if !slices.ContainsFunc(out.OrderBy, func(x Order) bool { return x.Field == o.Field }) {
			out.OrderBy = append(out.OrderBy, o)
		}
	}
	switch {
	case len(a.Groups) == 0:
		out.Groups = b.Clone().Groups
	case len(b.Groups) == 0:
		out.Groups = a.Clone().Groups
	default:
		for _, ga := range a.Groups {
			for _, gb := range b.Groups {
				g := ga.clone()
				g.Terms = append(g.Terms, gb.clone().Terms...)
				out.Groups = append(out.Groups, g)
			}
		}
	}
	return out
}

// Operators returns the canonical operators Parse accepts, for help texts
// and did-you-mean suggestions.
func Operators() []string {
	return []string{
		OpEq, OpNe, OpGt, OpGe, OpLt, OpLe, OpIn, OpNotIn, OpLike, OpNotLike, OpStartsWith, OpEndsWith,
		OpIsEmpty, OpIsNotEmpty, OpAnything, OpEmptyString, OpBetween, OpSameAs, OpNotSameAs,
	}
}
