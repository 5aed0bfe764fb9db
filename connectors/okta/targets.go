package okta

import (
	"bytes"
	"unicode/utf8"

	"github.com/cardflow/cardflow/internal/jsonscan"
)

// targetPicks is what the accessors (trigger.user, .group, .app) take of an
// event's target array, read by splitDelivery in its one pass over the
// delivery: for each accessor, where the fields of the first target of its
// type are in the body. accessorsJSON, the encoding/json way, defines the
// result; readTargets takes apart only the arrays where it cannot differ
// from it, and leaves the others to it.
type targetPicks struct {
	read   bool // taken apart: picked holds the accessors
	picked [len(accessorTypes)]targetFields
}

// targetFields are the members of one target that accessorsJSON encodes,
// in logTarget's order (id, type, alternateId, displayName): the spans of
// their JSON strings, quotes included; an empty span is a missing member.
type targetFields struct {
	found bool
	spans [4][2]int
}

// targetMembers are logTarget's members, in its order.
var targetMembers = [4]string{"id", "type", "alternateId", "displayName"}

// readTargets reads the value at s, an event's target. It takes it apart
// when it is an array of objects whose four members, where present, are
// strings that encoding/json would encode back byte for byte; anything else
// (null, another kind, a repeated or case-folded member, escapes) is read
// again as a value to skip, and left to accessorsJSON.
func readTargets(s *jsonscan.Scanner) (targetPicks, bool) {
	saved := *s
	if picks, ok := pickTargets(s); ok {
		return picks, true
	}
	*s = saved
	return targetPicks{}, s.Skip()
}

func pickTargets(s *jsonscan.Scanner) (targetPicks, bool) {
	var picks targetPicks
	if s.Peek() != '[' {
		return picks, false
	}
	ok := s.Array(func(int) bool {
		if s.Peek() != '{' {
			return false
		}
		var t targetFields
		var seen uint
		ok := s.Object(func(key []byte, _ int) bool {
			for i, name := range targetMembers {
				if string(key) != name {
					continue
				}
				if seen&(1<<i) != 0 || s.Peek() != '"' {
					return false
				}
				seen |= 1 << i
				start := s.Pos()
				from, to, plain, ok := s.ScanString()
				if !ok || !encodesAsIs(s.Data()[from:to], plain) {
					return false
				}
				t.spans[i] = [2]int{start, s.Pos()}
				return true
			}
			return unrelated(key, targetMembers[:]...) && s.Skip()
		})
		if !ok {
			return false
		}
		picks.pick(s.Data(), t)
		return true
	})
	picks.read = ok
	return picks, ok
}

// pick sets t as the accessor of every type it is the first of.
func (p *targetPicks) pick(body []byte, t targetFields) {
	sp := t.spans[1] // type
	if sp[1] == 0 {
		return // no type: logTarget's Type is "", which no accessor picks
	}
	typ := body[sp[0]+1 : sp[1]-1]
	for i, a := range accessorTypes {
		if !p.picked[i].found && string(typ) == a.targetType {
			t.found = true
			p.picked[i] = t
		}
	}
}

// encodesAsIs reports whether json.Marshal writes the string whose text
// between the quotes is raw exactly as raw: no escapes, no characters it
// escapes for HTML (<, >, &) or for JavaScript (U+2028, U+2029), and valid
// UTF-8.
func encodesAsIs(raw []byte, plain bool) bool {
	if bytes.ContainsAny(raw, "<>&") {
		return false
	}
	if plain {
		return true
	}
	return bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) &&
		!bytes.Contains(raw, []byte("\u2028")) && !bytes.Contains(raw, []byte("\u2029"))
}

// appendJSON appends `,"user":…,"group":…,"app":…` as accessorsJSON writes
// it, from the spans in body.
func (p *targetPicks) appendJSON(out, body []byte) []byte {
	for i, a := range accessorTypes {
		out = append(out, `,"`...)
		out = append(out, a.name...)
		out = append(out, `":`...)
		t := &p.picked[i]
		if !t.found {
			out = append(out, "null"...)
			continue
		}
		for j, name := range targetMembers {
			if j == 0 {
				out = append(out, `{"`...)
			} else {
				out = append(out, `,"`...)
			}
			out = append(out, name...)
			out = append(out, `":`...)
			if sp := t.spans[j]; sp[1] > 0 {
				out = append(out, body[sp[0]:sp[1]]...)
			} else {
				out = append(out, `""`...)
			}
		}
		out = append(out, '}')
	}
	return out
}

// size is how many bytes appendJSON appends.
func (p *targetPicks) size() int {
	n := 0
	for i, a := range accessorTypes {
		n += len(`,"":`) + len(a.name)
		t := &p.picked[i]
		if !t.found {
			n += len("null")
			continue
		}
		for j, name := range targetMembers {
			n += len(`{"":`) + len(name) // or `,"":`
			if sp := t.spans[j]; sp[1] > 0 {
				n += sp[1] - sp[0]
			} else {
				n += len(`""`)
			}
		}
		n += len("}")
	}
	return n
}
