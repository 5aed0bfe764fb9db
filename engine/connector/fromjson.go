package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/internal/jsonscan"
)

// FromJSON decodes JSON into a value of type ty, the way connectors turn API
// responses into card outputs: attributes missing from the JSON become null,
// attributes the type does not declare are dropped, and scalars convert
// between strings, numbers and bools where the text allows it.
//
// Its result is by definition that of decoding with encoding/json (numbers
// as json.Number) and converting with FromGo. It gets there in one pass over
// the text, guided by ty, without building the Go value: what the type
// drops is only validated, never allocated. Anything that pass does not
// accept (malformed JSON, a value of the wrong kind) is decoded again the
// reference way, which also says what is wrong.
func FromJSON(data []byte, ty cty.Type) (cty.Value, error) {
	d := jsonDecoder{Scanner: jsonscan.New(data)}
	if len(data) <= maxSharedText {
		d.text = string(data)
	}
	if v, ok := d.document(ty); ok {
		return v, nil
	}
	return fromJSONReference(data, ty)
}

// fromJSONReference is FromJSON by encoding/json and FromGo.
func fromJSONReference(data []byte, ty cty.Type) (cty.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return cty.NilVal, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return cty.NilVal, fmt.Errorf("unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	return FromGo(v, ty)
}

// jsonDecoder converts JSON text to a cty value of a declared type. Each
// method reports false where the reference conversion would fail or where
// the decoder would not be sure to agree with it; FromJSON then takes the
// reference path. It must therefore never accept what encoding/json
// rejects: it validates all of the text, skipped values included.
type jsonDecoder struct {
	jsonscan.Scanner

	// text is a copy of data, when it is at most maxSharedText bytes, of
	// which keys and strings that need no unquoting are substrings: one
	// allocation instead of one per string.
	text string
}

// maxSharedText bounds what a decoded value may keep alive of the text it
// was decoded from: a substring keeps the whole copy, dropped attributes
// included. Trigger payloads and API records are a few KiB.
const maxSharedText = 64 << 10

func (d *jsonDecoder) document(ty cty.Type) (cty.Value, bool) {
	v, ok := d.value(ty)
	return v, ok && d.AtEnd()
}

func (d *jsonDecoder) value(ty cty.Type) (cty.Value, bool) {
	switch c := d.Peek(); {
	case c == 0: // the end, or a NUL that is no JSON either
		return cty.NilVal, false
	case c == 'n':
		return cty.NullVal(ty), d.Literal("null")
	case ty == cty.DynamicPseudoType:
		return d.implied(c)
	case ty == cty.String:
		return d.toString(c)
	case ty == cty.Number:
		return d.toNumber(c)
	case ty == cty.Bool:
		return d.toBool(c)
	case ty.IsListType() || ty.IsSetType():
		return d.toList(ty)
	case ty.IsMapType():
		return d.toMap(ty)
	case ty.IsObjectType():
		return d.toObject(ty)
	case ty.IsTupleType():
		return d.toTuple(ty)
	}
	return cty.NilVal, false
}

func (d *jsonDecoder) toString(c byte) (cty.Value, bool) {
	switch {
	case c == '"':
		s, ok := d.str()
		return cty.StringVal(s), ok
	case c == 't':
		return cty.StringVal("true"), d.Literal("true")
	case c == 'f':
		return cty.StringVal("false"), d.Literal("false")
	case c == '-' || isDigit(c):
		num, ok := d.Number()
		return cty.StringVal(string(num)), ok
	case c == '[' || c == '{':
		// Structured values where a string is declared are kept as JSON
		// text: re-encoded exactly as FromGo encodes the decoded value.
		start := d.Pos()
		if !d.Skip() {
			return cty.NilVal, false
		}
		dec := json.NewDecoder(bytes.NewReader(d.Data()[start:d.Pos()]))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return cty.NilVal, false
		}
		b, err := json.Marshal(v)
		return cty.StringVal(string(b)), err == nil
	}
	return cty.NilVal, false
}

func (d *jsonDecoder) toNumber(c byte) (cty.Value, bool) {
	switch {
	case c == '"':
		s, ok := d.str()
		if !ok {
			return cty.NilVal, false
		}
		if s == "" {
			return cty.NullVal(cty.Number), true
		}
		return parseNumber(s)
	case c == '-' || isDigit(c):
		num, ok := d.Number()
		if !ok {
			return cty.NilVal, false
		}
		return parseNumber(string(num))
	}
	return cty.NilVal, false
}

func (d *jsonDecoder) toBool(c byte) (cty.Value, bool) {
	switch c {
	case 't':
		return cty.True, d.Literal("true")
	case 'f':
		return cty.False, d.Literal("false")
	case '"':
		s, ok := d.str()
		if !ok {
			return cty.NilVal, false
		}
		if s == "" {
			return cty.NullVal(cty.Bool), true
		}
		b, err := strconv.ParseBool(s)
		return cty.BoolVal(b), err == nil
	}
	return cty.NilVal, false
}

func (d *jsonDecoder) toList(ty cty.Type) (cty.Value, bool) { return d.list(ty, d.value) }

// list decodes a JSON array to a list of type ty, each element with elem.
func (d *jsonDecoder) list(ty cty.Type, elem func(cty.Type) (cty.Value, bool)) (cty.Value, bool) {
	ety := ty.ElementType()
	var vals []cty.Value
	ok := d.Array(func(int) bool {
		v, ok := elem(ety)
		vals = append(vals, v)
		return ok
	})
	if !ok {
		return cty.NilVal, false
	}
	v, err := collection(vals, ty)
	return v, err == nil
}

func (d *jsonDecoder) toMap(ty cty.Type) (cty.Value, bool) {
	ety := ty.ElementType()
	vals := make(map[string]cty.Value)
	ok := d.Object(func(key []byte, at int) bool {
		v, ok := d.value(ety)
		vals[d.stringOf(key, at)] = v // a repeated key: the last wins, as in encoding/json
		return ok
	})
	if !ok {
		return cty.NilVal, false
	}
	v, err := mapValue(vals, ety)
	return v, err == nil
}

func (d *jsonDecoder) toObject(ty cty.Type) (cty.Value, bool) {
	atys := ty.AttributeTypes()
	vals := make(map[string]cty.Value, len(atys))
	ok := d.Object(func(key []byte, at int) bool {
		aty, declared := atys[string(key)]
		if !declared {
			return d.Skip()
		}
		v, ok := d.value(aty)
		vals[d.stringOf(key, at)] = v
		return ok
	})
	if !ok {
		return cty.NilVal, false
	}
	if len(vals) < len(atys) {
		for name, aty := range atys {
			if _, ok := vals[name]; !ok {
				vals[name] = cty.NullVal(aty)
			}
		}
	}
	return cty.ObjectVal(vals), true
}

func (d *jsonDecoder) toTuple(ty cty.Type) (cty.Value, bool) {
	etys := ty.TupleElementTypes()
	vals := make([]cty.Value, len(etys))
	n := 0
	ok := d.Array(func(i int) bool {
		if i >= len(etys) {
			return d.Skip()
		}
		v, ok := d.value(etys[i])
		vals[i], n = v, i+1
		return ok
	})
	if !ok {
		return cty.NilVal, false
	}
	for i := n; i < len(etys); i++ {
		vals[i] = cty.NullVal(etys[i])
	}
	return cty.TupleVal(vals), true
}

// str reads a string.
func (d *jsonDecoder) str() (string, bool) {
	b, at, ok := d.StringBytes()
	return d.stringOf(b, at), ok
}

// stringOf returns b, a string's bytes at offset at in the text (-1 when
// it was unquoted into a new buffer), as a string: a substring of the
// shared copy of the text where there is one.
func (d *jsonDecoder) stringOf(b []byte, at int) string {
	if at >= 0 && d.text != "" {
		return d.text[at : at+len(b)]
	}
	return string(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// implied decodes a value of the dynamic type: objects stay objects,
// arrays become tuples.
func (d *jsonDecoder) implied(c byte) (cty.Value, bool) {
	switch {
	case c == '"':
		s, ok := d.str()
		return cty.StringVal(s), ok
	case c == 't':
		return cty.True, d.Literal("true")
	case c == 'f':
		return cty.False, d.Literal("false")
	case c == '-' || isDigit(c):
		num, ok := d.Number()
		if !ok {
			return cty.NilVal, false
		}
		return parseNumber(string(num))
	case c == '[':
		var vals []cty.Value
		ok := d.Array(func(int) bool {
			v, ok := d.value(cty.DynamicPseudoType)
			vals = append(vals, v)
			return ok
		})
		if !ok {
			return cty.NilVal, false
		}
		if len(vals) == 0 {
			return cty.EmptyTupleVal, true
		}
		return cty.TupleVal(vals), true
	case c == '{':
		vals := make(map[string]cty.Value)
		ok := d.Object(func(key []byte, at int) bool {
			v, ok := d.value(cty.DynamicPseudoType)
			vals[d.stringOf(key, at)] = v
			return ok
		})
		if !ok {
			return cty.NilVal, false
		}
		if len(vals) == 0 {
			return cty.EmptyObjectVal, true
		}
		return cty.ObjectVal(vals), true
	}
	return cty.NilVal, false
}
