// Package didyoumean suggests the name an author probably meant when they
// wrote one that does not exist: an action, an argument, a variable, a
// ServiceNow field.
package didyoumean

import (
	"fmt"
	"slices"
	"strings"

	"github.com/agext/levenshtein"
)

// Name returns the name in candidates nearest to given, or "" when none is
// close enough to be the likely intent: a few letters apart, or the same
// words in another order (okta.assign_app_to_user for
// okta.assign_user_to_app), which no edit distance calls close.
func Name(given string, candidates []string) string {
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		d := levenshtein.Distance(given, c, nil)
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" && bestDist <= 3 && bestDist <= len(given)/2+1 {
		return best
	}
	words := sortedWords(given)
	for _, c := range candidates {
		if slices.Equal(words, sortedWords(c)) {
			return c
		}
	}
	return ""
}

// Hint is Name as a sentence to append to a diagnostic's detail
// (` Did you mean "okta.read_user"?`), or "" when nothing is near.
func Hint(given string, candidates []string) string {
	if s := Name(given, candidates); s != "" {
		return fmt.Sprintf(" Did you mean %q?", s)
	}
	return ""
}

// sortedWords splits a name at dots and underscores and sorts the words;
// the connector prefix stays first, so words never move across it.
func sortedWords(name string) []string {
	prefix, rest, found := strings.Cut(name, ".")
	if !found {
		prefix, rest = "", name
	}
	words := strings.Split(rest, "_")
	slices.Sort(words)
	return append([]string{prefix}, words...)
}
