package runtime

import (
	"encoding/base64"
	"net/url"
	"slices"

	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/internal/jsonw"
)

// spellings returns secret as it may travel, itself first: URL-encoded
// for a query (QueryEscape) and for a path (PathEscape), JSON-escaped (a
// secret with a quote, a backslash or a control character inside a JSON
// string) and base64 in the four alphabets (Basic auth, JWT parts,
// signed URLs). A value that reached an action comes back in any of them
// (an echoed URL, a body, an error), and a journal, a log line or a
// history page must show none of them. Spellings shorter than
// lang.MinSecretLen or equal to another are left out.
func spellings(secret string) []string {
	out := []string{secret}
	add := func(s string) {
		if len(s) >= lang.MinSecretLen && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	add(url.QueryEscape(secret))
	add(url.PathEscape(secret))
	if q := jsonw.AppendString(nil, secret); len(q) >= 2 {
		add(string(q[1 : len(q)-1]))
	}
	b := []byte(secret)
	add(base64.StdEncoding.EncodeToString(b))
	add(base64.URLEncoding.EncodeToString(b))
	add(base64.RawStdEncoding.EncodeToString(b))
	add(base64.RawURLEncoding.EncodeToString(b))
	return out
}

// withSpellings returns secrets with every spelling of each, longest
// first (see sortLongestFirst).
func withSpellings(secrets []string) []string {
	var out []string
	for _, s := range secrets {
		for _, sp := range spellings(s) {
			if !slices.Contains(out, sp) {
				out = append(out, sp)
			}
		}
	}
	sortLongestFirst(out)
	return out
}

// sortLongestFirst orders secrets so that scrub replaces a secret that
// contains a shorter one whole, before the shorter one cuts it apart and
// leaves the rest of it showing.
func sortLongestFirst(secrets []string) {
	slices.SortStableFunc(secrets, func(a, b string) int { return len(b) - len(a) })
}
