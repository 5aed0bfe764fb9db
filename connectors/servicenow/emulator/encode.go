package emulator

import (
	"slices"
	"sync"
	"unicode/utf8"
)

// The Table API's answers are written here byte for byte as encoding/json
// wrote the maps renderLocked returns (keys sorted, HTML characters
// escaped, a trailing newline), without building those maps: encoding
// a full incident through reflection and a key sort per record was a
// third of the instance's CPU under load. TestEncodeMatchesEncodingJSON
// holds the two to the same bytes.

// appendRecordLocked appends rec rendered under v as a JSON object.
func (e *Emulator) appendRecordLocked(dst []byte, t *table, rec map[string]string, v view) []byte {
	dst = append(dst, '{')
	first := true
	for _, f := range t.sortedFields(v) {
		var fv fieldValue
		if v.fields == nil { // the table's columns: none is dot-walked
			val, ok := rec[f]
			if !ok {
				continue
			}
			fv = e.renderValueLocked(t, rec, f, val, v)
		} else {
			var ok bool
			if fv, ok = e.fieldLocked(t, rec, f, v); !ok {
				continue
			}
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, f)
		dst = append(dst, ':')
		dst = fv.appendJSON(dst)
	}
	return append(dst, '}')
}

// bodies recycles response bodies: writeReply returns them once written.
var bodies = sync.Pool{New: func() any { return new([]byte) }}

// newBody returns an empty buffer for a response body.
func newBody(size int) []byte {
	b := *bodies.Get().(*[]byte)
	return slices.Grow(b[:0], size)
}

// recycleBody gives a written body back; very large ones (a page of
// thousands of records) are left to the collector rather than kept.
func recycleBody(b []byte) {
	if cap(b) <= 1<<20 {
		bodies.Put(&b)
	}
}

// recordBodyJSON is {"result": record} and a newline.
func (e *Emulator) recordBodyJSON(t *table, rec map[string]string, v view) []byte {
	b := newBody(16 + 40*len(t.schema.columns))
	b = append(b, `{"result":`...)
	b = e.appendRecordLocked(b, t, rec, v)
	return append(b, "}\n"...)
}

// listBodyJSON is {"result": [records]} and a newline.
func (e *Emulator) listBodyJSON(t *table, recs []map[string]string, v view) []byte {
	perField := len(t.schema.columns)
	if v.fields != nil {
		perField = len(v.fields)
	}
	b := newBody(16 + len(recs)*(2+40*perField))
	b = append(b, `{"result":[`...)
	for i, rec := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.appendRecordLocked(b, t, rec, v)
	}
	return append(b, "]}\n"...)
}

// appendJSON appends fv: a string, or an object whose keys sort as
// display_value, link, value.
func (fv fieldValue) appendJSON(dst []byte) []byte {
	if !fv.obj {
		return appendJSONString(dst, fv.str)
	}
	dst = append(dst, '{')
	sep := false
	member := func(key, val string) {
		if sep {
			dst = append(dst, ',')
		}
		sep = true
		dst = append(dst, key...)
		dst = appendJSONString(dst, val)
	}
	if fv.hasDisplay {
		member(`"display_value":`, fv.display)
	}
	if fv.hasLink {
		member(`"link":`, fv.link)
	}
	if fv.hasValue {
		member(`"value":`, fv.value)
	}
	return append(dst, '}')
}

// sortedFields are the names a record renders under v, in the order
// encoding/json writes map keys: sorted and without duplicates.
func (t *table) sortedFields(v view) []string {
	if v.fields != nil {
		return v.fields // viewFrom sorts them
	}
	if len(t.sortedColumns) != len(t.schema.columns) { // columns only grow
		t.sortedColumns = sortedUnique(t.schema.columns)
	}
	return t.sortedColumns
}

func sortedUnique(names []string) []string {
	s := slices.Clone(names)
	slices.Sort(s)
	return slices.Compact(s)
}

// appendJSONString appends s as encoding/json does with HTML escaping on
// (its default): <, > and & as \u003c, \u003e and \u0026, control
// characters escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
