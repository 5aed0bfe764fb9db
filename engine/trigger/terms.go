package trigger

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/internal/jsonscan"
)

// isTermKey reports whether key names a field whose string value an
// operator looks an execution up by: the ids, logins, emails and display
// names of an Okta event's actor and targets, a ServiceNow record's
// number, sys_id and correlation id, the uuid of a delivery. It is asked of
// every member of every event the intake takes in: a switch, which
// compares lengths first, costs less than a map's hash.
func isTermKey(key []byte) bool {
	switch string(key) {
	case "id", "alternateId", "login", "email", "displayName", "number", "sys_id", "correlation_id", "uuid":
		return true
	}
	return false
}

// isNameKey reports whether key names a display name, each word of which
// is a term too: "doe" finds Jane Doe.
func isNameKey(key []byte) bool { return string(key) == "displayName" }

// Terms returns the correlation terms of a trigger payload (a JSON
// object): the string values of isTermKey fields up to four objects deep,
// normalized as stores keep them, and the words of the display names among
// them (nameWords), sorted, at most store.MaxTerms. A payload that is not
// JSON has none. It reads the payload with the engine's JSON scanner, as
// intake's event check does, without decoding it: it runs once per event
// on the intake's path.
func Terms(payload []byte) []string {
	if len(payload) == 0 {
		return nil
	}
	s := jsonscan.New(payload)
	var c collected
	if !collectTerms(&s, 0, func(key, v []byte) { c.add(key, v, false) }) {
		return nil
	}
	return sortTerms(c.terms, c.words)
}

// DisplayTerms returns terms, an execution's correlation terms as Terms
// made them from payload, in the case payload writes them: search keeps
// them in lower case, but an Okta id (00u8newUsEr…) is case-sensitive and
// an operator copies it from the console, and a word of a display name
// reads as written (Doe). The order is terms' order; a term the payload
// does not write (an older payload, a store's own) stays as it is. Where
// the payload writes a term in several cases, the first one wins, a whole
// value before a word of a name.
func DisplayTerms(payload []byte, terms []string) []string {
	if len(terms) == 0 || len(payload) == 0 {
		return terms
	}
	s := jsonscan.New(payload)
	var c collected
	collectTerms(&s, 0, func(key, v []byte) { c.add(key, v, true) })
	cased := make(map[string]string, len(c.terms)+len(c.words))
	for _, o := range slices.Concat(c.terms, c.words) {
		t := store.NormalizeTerm(o)
		if _, seen := cased[t]; !seen {
			cased[t] = o
		}
	}
	out := make([]string, len(terms))
	for i, t := range terms {
		if o, ok := cased[t]; ok {
			out[i] = o
		} else {
			out[i] = t
		}
	}
	return out
}

// maxCollected bounds the values, and apart from them the words of names,
// read of one payload before sortTerms keeps store.MaxTerms of them.
const maxCollected = 4 * store.MaxTerms

// collected is what collectTerms read of a payload: the values of its
// isTermKey members and the words of its display names, in the payload's
// order.
type collected struct {
	terms, words []string
}

// add adds the value of an isTermKey member, normalized (or, with asWritten,
// trimmed but in its own case), unless it cannot be one, and the words of a
// display name.
func (c *collected) add(key, v []byte, asWritten bool) {
	if len(c.terms) >= maxCollected {
		return
	}
	t, ok := normalTerm(v)
	if !ok {
		return
	}
	if asWritten {
		t = strings.TrimSpace(string(v))
	}
	c.terms = append(c.terms, t)
	if isNameKey(key) {
		c.words = nameWords(c.words, t)
	}
}

// nameWords appends to words the words of name, a display name as a term
// keeps it: its parts between spaces, without the punctuation around them
// ("Doe," and "(Contractor)" are Doe and Contractor), at most maxCollected
// words in all.
func nameWords(words []string, name string) []string {
	for w := range strings.FieldsFuncSeq(name, unicode.IsSpace) {
		if len(words) >= maxCollected {
			break
		}
		if w = strings.TrimFunc(w, unicode.IsPunct); w != "" {
			words = append(words, w)
		}
	}
	return words
}

// sortTerms sorts collected terms, drops repeats and keeps at most
// store.MaxTerms, the values first: the words of names fill what room is
// left, so that they never cost an event a value it had as a term. A word
// that a value kept starts with (Jane of "jane doe", admin of
// "admin@example.com") is left out: search, which matches a term from its
// start, finds it by that value already.
func sortTerms(terms, words []string) []string {
	slices.Sort(terms)
	terms = slices.Compact(terms)
	if len(terms) > store.MaxTerms {
		terms = terms[:store.MaxTerms]
	}
	n := len(terms)
	if n == store.MaxTerms || len(words) == 0 {
		return terms
	}
	slices.Sort(words)
	for _, w := range slices.Compact(words) {
		if len(terms) == store.MaxTerms {
			break
		}
		// The first value not below w starts with w if any does.
		if i, _ := slices.BinarySearch(terms[:n], w); i == n || !strings.HasPrefix(terms[i], w) {
			terms = append(terms, w)
		}
	}
	slices.Sort(terms)
	return terms
}

// maxTermDepth is how deep in the payload terms are looked for.
const maxTermDepth = 4

// collectTerms hands the string values of isTermKey members to add, with
// their keys.
func collectTerms(s *jsonscan.Scanner, depth int, add func(key, v []byte)) bool {
	if depth > maxTermDepth {
		return s.Skip()
	}
	switch s.Peek() {
	case '{':
		return s.Object(func(key []byte, _ int) bool {
			if s.Peek() != '"' {
				return collectTerms(s, depth+1, add)
			}
			v, _, ok := s.StringBytes()
			if ok && isTermKey(key) {
				add(key, v)
			}
			return ok
		})
	case '[':
		return s.Array(func(int) bool { return collectTerms(s, depth+1, add) })
	}
	return s.Skip()
}

// normalTerm returns v normalized as stores keep terms, or false when it
// cannot be one.
func normalTerm(v []byte) (string, bool) {
	t := store.NormalizeTerm(string(v))
	return t, t != "" && len(t) <= store.MaxTermLen && utf8.ValidString(t)
}

// termReader reads an event's terms in the pass that checks it
// (connector.EventCheck): Terms' members, at Terms' depth. It gathers them
// in one buffer, made into one string for all of them at the end, rather
// than a string for each (and another for each one lowercased), and the
// words of names are parts of that string: it runs for every event on the
// intake's path. Readers are pooled.
type termReader struct {
	text    []byte // the terms read, normalized, one after another
	ends    []int  // where each ends in text
	names   []int  // which of them are display names, in order
	members connector.StringMembers
}

var termReaders = sync.Pool{New: func() any {
	r := &termReader{}
	r.members = connector.StringMembers{Keys: isTermKey, Depth: maxTermDepth, Each: r.add}
	return r
}}

func newTermReader() *termReader { return termReaders.Get().(*termReader) }

// add is collected.add into r; the words of names wait for result.
func (r *termReader) add(key, v []byte) {
	if len(r.ends) >= maxCollected {
		return
	}
	start := len(r.text)
	if r.text = appendNormalized(r.text, v); len(r.text) > start {
		if isNameKey(key) {
			r.names = append(r.names, len(r.ends))
		}
		r.ends = append(r.ends, len(r.text))
	}
}

// appendNormalized appends v normalized as collected.add keeps it, or
// nothing when collected.add would drop it.
func appendNormalized(dst, v []byte) []byte {
	if t, ok := normalTerm(v); ok {
		return append(dst, t...)
	}
	return dst
}

// result is the terms read, as Terms returns them. It puts r back in
// termReaders: the terms are copies.
func (r *termReader) result() []string {
	var out, words []string
	if len(r.ends) > 0 {
		text := string(r.text)
		out = make([]string, len(r.ends))
		start := 0
		for i, end := range r.ends {
			out[i] = text[start:end]
			start = end
		}
		for _, i := range r.names {
			words = nameWords(words, out[i])
		}
	}
	r.text, r.ends, r.names = r.text[:0], r.ends[:0], r.names[:0]
	termReaders.Put(r)
	return sortTerms(out, words)
}
