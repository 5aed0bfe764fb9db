package trigger

import (
	"slices"
	"strings"
	"sync"
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

// Terms returns the correlation terms of a trigger payload (a JSON
// object): the string values of isTermKey fields up to four objects deep,
// normalized as stores keep them, sorted, at most store.MaxTerms. A
// payload that is not JSON has none. It reads the payload with the
// engine's JSON scanner, as intake's event check does, without decoding
// it: it runs once per event on the intake's path.
func Terms(payload []byte) []string {
	if len(payload) == 0 {
		return nil
	}
	s := jsonscan.New(payload)
	var out []string
	if !collectTerms(&s, 0, &out, addTerm) {
		return nil
	}
	return sortTerms(out)
}

// DisplayTerms returns terms, an execution's correlation terms as Terms
// made them from payload, in the case payload writes them: search keeps
// them in lower case, but an Okta id (00u8newUsEr…) is case-sensitive and
// an operator copies it from the console. The order is terms' order; a
// term the payload does not write (an older payload, a store's own) stays
// as it is. Where the payload writes a term in several cases, the first
// one wins.
func DisplayTerms(payload []byte, terms []string) []string {
	if len(terms) == 0 || len(payload) == 0 {
		return terms
	}
	s := jsonscan.New(payload)
	var originals []string
	collectTerms(&s, 0, &originals, addOriginal)
	cased := make(map[string]string, len(originals))
	for _, o := range originals {
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

// sortTerms sorts collected terms, drops repeats and keeps at most
// store.MaxTerms.
func sortTerms(out []string) []string {
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > store.MaxTerms {
		out = out[:store.MaxTerms]
	}
	return out
}

// maxTermDepth is how deep in the payload terms are looked for.
const maxTermDepth = 4

// collectTerms reads the string values of isTermKey members into out
// through add (addTerm, or addOriginal for DisplayTerms).
func collectTerms(s *jsonscan.Scanner, depth int, out *[]string, add func(*[]string, []byte)) bool {
	if depth > maxTermDepth {
		return s.Skip()
	}
	switch s.Peek() {
	case '{':
		return s.Object(func(key []byte, _ int) bool {
			if s.Peek() != '"' {
				return collectTerms(s, depth+1, out, add)
			}
			v, _, ok := s.StringBytes()
			if ok && isTermKey(key) {
				add(out, v)
			}
			return ok
		})
	case '[':
		return s.Array(func(int) bool { return collectTerms(s, depth+1, out, add) })
	}
	return s.Skip()
}

// addTerm adds the value of an isTermKey member, normalized, unless it
// cannot be one.
func addTerm(out *[]string, v []byte) {
	if len(*out) >= 4*store.MaxTerms {
		return
	}
	if t, ok := normalTerm(v); ok {
		*out = append(*out, t)
	}
}

// addOriginal adds the value of an isTermKey member as addTerm would,
// trimmed but in its own case.
func addOriginal(out *[]string, v []byte) {
	if len(*out) >= 4*store.MaxTerms {
		return
	}
	if _, ok := normalTerm(v); ok {
		*out = append(*out, strings.TrimSpace(string(v)))
	}
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
// than a string for each (and another for each one lowercased): it runs
// for every event on the intake's path. Readers are pooled.
type termReader struct {
	text    []byte // the terms read, normalized, one after another
	ends    []int  // where each ends in text
	members connector.StringMembers
}

var termReaders = sync.Pool{New: func() any {
	r := &termReader{}
	r.members = connector.StringMembers{Keys: isTermKey, Depth: maxTermDepth, Each: func(_, v []byte) { r.add(v) }}
	return r
}}

func newTermReader() *termReader { return termReaders.Get().(*termReader) }

// add is addTerm into r.
func (r *termReader) add(v []byte) {
	if len(r.ends) >= 4*store.MaxTerms {
		return
	}
	start := len(r.text)
	if r.text = appendNormalized(r.text, v); len(r.text) > start {
		r.ends = append(r.ends, len(r.text))
	}
}

// appendNormalized appends v normalized as addTerm keeps it, or nothing
// when addTerm would drop it.
func appendNormalized(dst, v []byte) []byte {
	if t, ok := normalTerm(v); ok {
		return append(dst, t...)
	}
	return dst
}

// result is the terms read, as Terms returns them. It puts r back in
// termReaders: the terms are copies.
func (r *termReader) result() []string {
	var out []string
	if len(r.ends) > 0 {
		text := string(r.text)
		out = make([]string, len(r.ends))
		start := 0
		for i, end := range r.ends {
			out[i] = text[start:end]
			start = end
		}
	}
	r.text, r.ends = r.text[:0], r.ends[:0]
	termReaders.Put(r)
	return sortTerms(out)
}
