package query

import (
	"strconv"
	"strings"
	"time"
)

// MatchOptions tunes Match.
type MatchOptions struct {
	// Strict makes a query that names a field the record does not have
	// match nothing at all, like glide.invalid_query.returns_no_rows=true.
	// By default such conditions are dropped, as the platform drops invalid
	// query parts.
	Strict bool
	// Location is the calling user's time zone for gs.dateGenerate values
	// that were not resolved beforehand; nil means UTC.
	Location *time.Location
}

// Match reports whether rec satisfies q. Values compare numerically when
// both sides parse as numbers and as strings otherwise, which orders
// "YYYY-MM-DD HH:MM:SS" date-times correctly. LIKE, STARTSWITH and ENDSWITH
// ignore case; = and IN do not. Ordering operators never match an empty
// record value (the platform stores empty as NULL).
//
// A condition on a field absent from rec is dropped (unless opts.Strict); a
// term or group left with nothing to test is dropped with it, so a query made
// only of unknown fields matches everything, as on the platform.
func (q *Query) Match(rec map[string]string, opts MatchOptions) bool {
	if q == nil || len(q.Groups) == 0 {
		return true
	}
	if opts.Strict && !q.knows(rec) {
		return false // like the platform, an invalid query returns no rows at all
	}
	for _, g := range q.Groups {
		if g.match(rec, opts) {
			return true
		}
	}
	return false
}

// knows reports whether every field the conditions reference is in rec.
func (q *Query) knows(rec map[string]string) bool {
	for _, g := range q.Groups {
		for _, t := range g.Terms {
			for _, c := range t.Conds {
				if _, ok := rec[c.Field]; !ok {
					return false
				}
				if _, ok := rec[c.Value]; !ok && (c.Op == OpSameAs || c.Op == OpNotSameAs) {
					return false
				}
			}
		}
	}
	return true
}

func (g Group) match(rec map[string]string, opts MatchOptions) bool {
	for _, t := range g.Terms {
		if !t.match(rec, opts) {
			return false
		}
	}
	return true
}

func (t Term) match(rec map[string]string, opts MatchOptions) bool {
	tested := false
	for _, c := range t.Conds {
		ok, known := c.match(rec, opts)
		if !known {
			if opts.Strict {
				return false
			}
			continue
		}
		if ok {
			return true
		}
		tested = true
	}
	return !tested
}

// match returns whether the condition holds and whether it could be tested
// at all (its fields exist in rec).
func (c Cond) match(rec map[string]string, opts MatchOptions) (ok, known bool) {
	v, known := rec[c.Field]
	if !known {
		return false, false
	}
	switch c.Op {
	case OpSameAs, OpNotSameAs:
		other, known := rec[c.Value]
		if !known {
			return false, false
		}
		return equal(v, other) == (c.Op == OpSameAs), true
	}
	want, err := resolveCondValue(c, opts.Location)
	if err != nil {
		return false, true
	}
	return evaluate(c.Op, v, want), true
}

func evaluate(op, v, want string) bool {
	switch op {
	case OpEq:
		return equal(v, want)
	case OpNe:
		return !equal(v, want)
	case OpGt, OpGe, OpLt, OpLe:
		if v == "" {
			return false
		}
		return ordered(op, compare(v, want))
	case OpIn:
		return inList(v, want)
	case OpNotIn:
		return !inList(v, want)
	case OpLike:
		return strings.Contains(strings.ToLower(v), strings.ToLower(want))
	case OpNotLike:
		return !strings.Contains(strings.ToLower(v), strings.ToLower(want))
	case OpStartsWith:
		return strings.HasPrefix(strings.ToLower(v), strings.ToLower(want))
	case OpEndsWith:
		return strings.HasSuffix(strings.ToLower(v), strings.ToLower(want))
	case OpIsEmpty, OpEmptyString:
		return v == ""
	case OpIsNotEmpty:
		return v != ""
	case OpAnything:
		return true
	case OpBetween:
		lo, hi, _ := strings.Cut(want, "@")
		return v != "" && compare(v, lo) >= 0 && compare(v, hi) <= 0
	}
	return false
}

func ordered(op string, cmp int) bool {
	switch op {
	case OpGt:
		return cmp > 0
	case OpGe:
		return cmp >= 0
	case OpLt:
		return cmp < 0
	default:
		return cmp <= 0
	}
}

func inList(v, list string) bool {
	for item := range strings.SplitSeq(list, ",") {
		if equal(v, item) {
			return true
		}
	}
	return false
}

func equal(a, b string) bool { return compare(a, b) == 0 }

// Compare orders two field values as Match and Less do: numerically when
// both are numbers, else as strings (which orders UTC date-times).
func Compare(a, b string) int { return compare(a, b) }

func compare(a, b string) int {
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	return strings.Compare(a, b)
}

// Less returns a "less than" function for sorting records by the ORDERBY
// clauses, comparing values as Match does. Records equal on every clause are
// not less than each other; callers that need a total order append a unique
// key such as sys_id.
func Less(order []Order) func(a, b map[string]string) bool {
	return func(a, b map[string]string) bool {
		for _, o := range order {
			c := compare(a[o.Field], b[o.Field])
			if c == 0 {
				continue
			}
			if o.Desc {
				return c > 0
			}
			return c < 0
		}
		return false
	}
}

// number parses plain decimal numbers only: ParseFloat alone would also take
// "NaN", "Inf" and hex floats, which are strings in a record.
func number(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == '+', c == '-', c == 'e', c == 'E':
		default:
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
