package importer

import (
	"fmt"
	"regexp"
)

// syntax is the language a condition is written in: HCL for values, or
// expr-lang for a card's if.
type syntax struct{ null, empty, length string }

var (
	hclSyntax      = syntax{null: "null", empty: `""`, length: "length"}
	exprLangSyntax = syntax{null: "nil", empty: "''", length: "len"}
)

// firstItemRE matches a reference into the first item of a list, as a
// single-result card's outputs are written (card.search_rows.rows[0].x):
// group 1 is the list.
var firstItemRE = regexp.MustCompile(`^((?:card|trigger|each)\.[^\[]+)\[0\]`)

// emptiness writes Okta Workflows' "is empty" test (or, with not, "is not
// empty") of the operand a. A list is empty when it has no items. A value
// read from the first item of a list (the row a Search Rows found) is
// empty when the list is: the test checks the list's length first, so it
// never indexes an empty list. HCL's && and || and expr-lang's skip their
// right side once the left decides.
func emptiness(a string, list, not bool, s syntax) string {
	if list {
		if not {
			return fmt.Sprintf("(%s != %s && %s(%s) > 0)", a, s.null, s.length, a)
		}
		return fmt.Sprintf("(%s == %s || %s(%s) == 0)", a, s.null, s.length, a)
	}
	if _, inner, ok := unguardFirst(a); ok {
		a = inner
	}
	guard := ""
	if sm := firstItemRE.FindStringSubmatch(a); sm != nil && isReference(sm[1]) {
		guard = sm[1]
	}
	switch {
	case not && guard != "":
		return fmt.Sprintf("(%s(%s) > 0 && %s != %s && %s != %s)", s.length, guard, a, s.null, a, s.empty)
	case not:
		return fmt.Sprintf("(%s != %s && %s != %s)", a, s.null, a, s.empty)
	case guard != "":
		return fmt.Sprintf("(%s(%s) == 0 || %s == %s || %s == %s)", s.length, guard, a, s.null, a, s.empty)
	}
	return fmt.Sprintf("(%s == %s || %s == %s)", a, s.null, a, s.empty)
}
