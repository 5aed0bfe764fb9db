package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
)

// nameSuggestion returns the name in candidates nearest to given, or "" when
// none is close enough to be the likely intent: a few letters apart, or
// the same words in another order (okta.assign_app_to_user for
// okta.assign_user_to_app), which no edit distance calls close.
func nameSuggestion(given string, candidates []string) string {
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

// suggestUnsupported adds a did-you-mean to HCL's "Unsupported argument"
// and "Unsupported block type" diagnostics that lack one. A card body is
// decoded in two parts (the engine's arguments, then the action's), and
// HCL suggests only from the part it decodes: a misspelt for_each among an
// action's inputs got no hint.
func suggestUnsupported(diags hcl.Diagnostics, attrs, blocks []string) {
	for _, d := range diags {
		if strings.Contains(d.Detail, "Did you mean") {
			continue
		}
		var candidates []string
		switch d.Summary {
		case "Unsupported argument":
			candidates = attrs
		case "Unsupported block type":
			candidates = blocks
		default:
			continue
		}
		if name := quoted(d.Detail); name != "" {
			if hint := didYouMean(name, candidates); hint != "" {
				d.Detail += hint
			}
		}
	}
}

// quoted returns the first quoted word of s.
func quoted(s string) string {
	i := strings.IndexByte(s, '"')
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(s[i+1:], '"')
	if j < 0 {
		return ""
	}
	return s[i+1 : i+1+j]
}
