package emulator

import (
	"slices"
	"sync"

	"github.com/cardflow/cardflow/internal/jsonw"
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
			// "" for a column the row leaves out (see table).
			fv = e.renderValueLocked(t, rec, f, rec[f], v)
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
		dst = jsonw.AppendString(dst, f)
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
		return jsonw.AppendString(dst, fv.str)
	}
	dst = append(dst, '{')
	sep := false
	member := func(key, val string) {
		if sep {
			dst = append(dst, ',')
		}
		sep = true
		dst = append(dst, key...)
		dst = jsonw.AppendString(dst, val)
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
