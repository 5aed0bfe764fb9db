package config

import (
	"fmt"

	"github.com/agext/levenshtein"
)

// nameSuggestion returns the name in candidates nearest to given, or "" when
// none is close enough to be the likely intent.
func nameSuggestion(given string, candidates []string) string {
	best, bestDist := "", 1<<30
	for _, c := range candidates {
		d := levenshtein.Distance(given, c, nil)
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	if best == "" || bestDist > 3 || bestDist > len(given)/2+1 {
		return ""
	}
	return best
}

// didYouMean is a sentence to append to a Detail, or "".
func didYouMean(given string, candidates []string) string {
	if s := nameSuggestion(given, candidates); s != "" {
		return fmt.Sprintf(" Did you mean %q?", s)
	}
	return ""
}

// NameSuggestion is nameSuggestion for other engine packages.
func NameSuggestion(given string, candidates []string) string {
	return nameSuggestion(given, candidates)
}
