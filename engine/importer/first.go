package importer

import (
	"fmt"
	"regexp"
)

// A card set to "First Matching Record" (Search Groups, Search Rows, ...)
// outputs the fields of the first record it found, and empty fields when
// it found none: the flow goes on. Its outputs are written as reads of
// the first item of the action's list (card.search_rows.rows[0].x), which
// fail on an empty list, so they are guarded:
//
//	(length(card.search_rows.rows) > 0 ? card.search_rows.rows[0].x : null)

// firstRefRE finds the reads of the first item of a card's list: group 1
// is the list.
var firstRefRE = regexp.MustCompile(`(card\.[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\[0\]`)

// guardedRE matches an expression guardFirst wrote: group 1 is the list,
// group 2 the expression it guards.
var guardedRE = regexp.MustCompile(`^\(length\(([^()]+)\) > 0 \? (.*) : null\)$`)

// guardFirst returns e, which reads the first item of a card's list, as
// null when the list is empty. e is returned as it is when it reads no
// first item, or the first items of more than one list.
func guardFirst(e string) string {
	list := ""
	for _, sm := range firstRefRE.FindAllStringSubmatch(e, -1) {
		if list != "" && sm[1] != list {
			return e
		}
		list = sm[1]
	}
	if list == "" || guardedRE.MatchString(e) {
		return e
	}
	return fmt.Sprintf("(length(%s) > 0 ? %s : null)", list, e)
}

// unguardFirst returns the list and the expression guardFirst guarded in
// e; ok is false when e is not guardFirst's.
func unguardFirst(e string) (list, inner string, ok bool) {
	sm := guardedRE.FindStringSubmatch(e)
	if sm == nil {
		return "", "", false
	}
	return sm[1], sm[2], true
}

// exprLangFirst writes a guarded read of a first item in expr-lang, for a
// card's if: e unchanged when it is not guardFirst's or does not read the
// same in expr-lang.
func exprLangFirst(e string) (string, bool) {
	list, inner, ok := unguardFirst(e)
	if !ok || !isReference(inner) || !isReference(list) {
		return "", false
	}
	return fmt.Sprintf("(len(%s) > 0 ? %s : nil)", list, inner), true
}
