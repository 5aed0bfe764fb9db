package store

import "strings"

// MaxTerms and MaxTermLen bound what an execution keeps of its correlation
// terms (Event.Terms).
const (
	MaxTerms   = 16
	MaxTermLen = 256
)

// NormalizeTerm is how terms are kept and searched: trimmed, lower case.
func NormalizeTerm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// TermRange returns the bounds [lo, hi) of the terms that start with
// text, as a store compares them (byte by byte).
func TermRange(text string) (lo, hi string) {
	lo = NormalizeTerm(text)
	// U+10FFFF is the largest code point: every term that starts with lo
	// sorts below lo followed by it.
	return lo, lo + "\U0010FFFF"
}
