package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/cardflow/cardflow/internal/jsonscan"
)

// differentialTypes are the types the differential tests decode every
// document to: each kind, and shapes like the connectors' outputs.
var differentialTypes = []cty.Type{
	cty.DynamicPseudoType,
	cty.String,
	cty.Number,
	cty.Bool,
	cty.List(cty.String),
	cty.Set(cty.Number),
	cty.Map(cty.String),
	cty.Map(cty.Number),
	cty.List(cty.DynamicPseudoType),
	cty.Map(cty.DynamicPseudoType),
	cty.Set(cty.DynamicPseudoType),
	cty.List(cty.Object(map[string]cty.Type{"a": cty.DynamicPseudoType})),
	cty.Tuple([]cty.Type{cty.String, cty.Number, cty.DynamicPseudoType}),
	cty.Object(map[string]cty.Type{
		"a": cty.String, "b": cty.List(cty.Number), "c": cty.Map(cty.Bool), "d": cty.DynamicPseudoType,
		"e": cty.Object(map[string]cty.Type{"f": cty.String, "g": cty.Bool}),
		"é": cty.String, "x y": cty.Tuple([]cty.Type{cty.Bool}),
	}),
	// The shape of okta's trigger.* (an event and its delivery).
	cty.Object(map[string]cty.Type{
		"event": cty.Object(map[string]cty.Type{
			"uuid":   cty.String,
			"actor":  cty.Object(map[string]cty.Type{"id": cty.String, "type": cty.String}),
			"target": cty.List(cty.Object(map[string]cty.Type{"id": cty.String, "alternateId": cty.String})),
			"debugContext": cty.Object(map[string]cty.Type{
				"debugData": cty.Map(cty.String),
			}),
		}),
		"delivery": cty.Object(map[string]cty.Type{"event_id": cty.String}),
	}),
	// The shape of servicenow's record trigger.
	cty.Object(map[string]cty.Type{"record": cty.Map(cty.String), "sys_id": cty.String, "count": cty.Number}),
}

// differentialDocuments are JSON texts, valid or not, chosen for the corners
// of the conversion and of the JSON grammar.
var differentialDocuments = []string{
	`"x"`, `""`, `"3.5"`, `"true"`, `"yes"`, `" 42"`, `"Inf"`, `"-0"`, `"1e400"`,
	`42`, `-0`, `0.1`, `-1.5e-7`, `1E+2`, `12345678901234567890123`, `9007199254740993`,
	`1e999999999999`, `0.30000000000000004`,
	`true`, `false`, `null`, ` null `, "\t\r\n[]\n",
	`[]`, `{}`, `[1, "2", true, null]`, `["b","a","b"]`, `[[1], {"a": 1}]`, `["a", 1]`,
	`{"a": 1, "b": true}`, `{"a": "x", "b": true}`, `{"a": "1", "a": "x"}`, `{"a": "x", "a": "1"}`,
	`{"a": 7, "b": ["1", 2, "3.25"], "c": {"k": "true", "l": false, "m": ""}, "d": {"n": [1, {"o": null}]},
	  "e": {"f": {"deep": [1, 2]}, "g": "false", "h": 1}, "é": "e-acute", "x y": [true, 1, 2], "zz": {"skip": [{"me": 1}]}}`,
	`{"a": {"b": 1}, "b": [], "c": {}, "e": null}`,
	`{"event": {"uuid": "u", "actor": {"id": "00u", "type": "User", "extra": [1, 2]},
	  "target": [{"id": "t1", "alternateId": "a@b", "detailEntry": null}, {"id": "t2"}],
	  "debugContext": {"debugData": {"requestUri": "/api/v1/users", "n": 5, "obj": {"z": "<&>"}}},
	  "insertionTimestamp": null}, "delivery": {"event_id": "e", "source": "s"}}`,
	`{"record": {"number": "INC1", "opened_by": {"link": "https://x/y?a=1&b=2", "value": "6816"}, "n": 1.50},
	  "sys_id": "abc", "count": "12"}`,
	`[{"a": 1}, {"a": "x"}]`, `[{"a": 1}, {"a": [1]}]`, `[{"a": 1}, {"b": 1}]`,
	// Nulls among the elements of collections of any.
	`[1, null]`, `[null, null]`, `[null, "x", 2]`, `[{"a": 1}, null]`, `[null, [1]]`, `[{"a": 1}, {"a": null}]`,
	`[{"a": {"x": 1}}, {"a": null}]`, `[[1, null], [null, "x"]]`, `{"x": {"a": 1}, "y": null}`, `{"x": 1, "y": null, "z": "s"}`,
	`[[], [null, ""]]`, `[{"a": []}, {"a": [null, "x"]}]`,
	// Strings: escapes, surrogates, UTF-8 good and bad, NFC.
	`"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\u0041"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ud83dx"`, `"\ude00\ud83d"`,
	`"\ud83d\u0041"`, `"e\u0301"`, "\"e\u0301\"", "\"Ørsta – Oslo\"", "\"\xff\xfe\"", "\"a\xc3\"",
	"\"\xed\xa0\x80\"", `"<script>&"`, "\"\u2028\"", `{"\u0061": 1, "b\n": 2}`, `{"e\u0301": "decomposed key"}`,
	`["<&>", {"q": "\"\\"}]`,
	// Malformed: each must fail as encoding/json fails.
	``, ` `, `{`, `[`, `"abc`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\x01\"", `'a'`, `"\'"`,
	`{} {}`, `"a" x`, `[1,]`, `[,1]`, `{"a":1,}`, `{"a" 1}`, `{a: 1}`, `{"a":1 "b":2}`, `[1 2]`,
	`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `-01`, `0x10`, `1.5.3`, `[1-2]`, `NaN`, `Infinity`,
	`tru`, `truex`, `nul`, `nullx`, `[true false]`, "\x00", `{"a":1}}`, `[1]]`, `]`, `}`,
	"\xef\xbb\xbf{}", `{"a":"b"}` + "\x00",
	strings.Repeat("[", 1001) + strings.Repeat("]", 1001),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	strings.Repeat(`{"d":`, 1500) + `1` + strings.Repeat("}", 1500),
}

// outcome is what a conversion gave: a value, an error or a panic.
type outcome struct {
	val   cty.Value
	err   error
	panic any
}

func try(f func() (cty.Value, error)) (o outcome) {
	defer func() { o.panic = recover() }()
	o.val, o.err = f()
	return o
}

// sameOutcome says how got differs from want, or "" when it does not:
// values must be equal down to their representation (the precision of
// numbers included), errors must say the same at the same path. got must
// never panic nor hold unknown values, whatever want did.
func sameOutcome(got, want outcome) string {
	if bad := unsound(got); bad != "" {
		return bad
	}
	switch {
	case want.panic != nil:
		return fmt.Sprintf("value %#v, error %v, want panic %v", got.val, got.err, want.panic)
	case (got.err != nil) != (want.err != nil):
		return fmt.Sprintf("error %v, want %v (value %#v, want %#v)", got.err, want.err, got.val, want.val)
	case got.err != nil:
		if got.err.Error() != want.err.Error() {
			return fmt.Sprintf("error %q, want %q", got.err, want.err)
		}
		var gp, wp cty.PathError
		if errors.As(got.err, &gp) != errors.As(want.err, &wp) || !gp.Path.Equals(wp.Path) {
			return fmt.Sprintf("error path %#v, want %#v", gp.Path, wp.Path)
		}
		return ""
	case !got.val.RawEquals(want.val) || !reflect.DeepEqual(got.val, want.val):
		return fmt.Sprintf("value %#v, want %#v", got.val, want.val)
	}
	return ""
}

// unsound says what is wrong with an outcome whatever it is compared with:
// a panic, or unknown values in what was decoded from known data.
func unsound(o outcome) string {
	switch {
	case o.panic != nil:
		return fmt.Sprintf("panic %v", o.panic)
	case o.err == nil && !o.val.IsWhollyKnown():
		return fmt.Sprintf("unknown values in %#v", o.val)
	}
	return ""
}

// legacyDefect reports whether the legacy conversion is no reference for
// an input: it panicked, made unknown values, or could not unify elements
// of a collection of any where the input holds a null. A null of dynamic
// type made convert.Unify settle on the dynamic type and convert nothing
// ([1, "2", null] as list(any) panicked in cty.ListVal, and so did
// [{"a": 1}, {"b": 1}] as list(object({a=any}))), convert objects and
// tuples to cty.DynamicVal ([{"a": 1}, null] as list(any)), or find no
// safe conversion at all ([[], [null, ""]] as list(any)); see
// unifyElements. The current conversion must then only be sound:
// TestFromJSON, TestFromGoNullsInCollectionsOfAny and
// TestCollectionsOfAnyAsCty say what it gives.
func legacyDefect(o outcome, nulls bool) bool {
	return unsound(o) != "" || (nulls && o.err != nil && strings.Contains(o.err.Error(), "no common type"))
}

// holdsNull reports whether a decoded JSON value has a null in it.
func holdsNull(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []any:
		return slices.ContainsFunc(x, holdsNull)
	case map[string]any:
		for _, e := range x {
			if holdsNull(e) {
				return true
			}
		}
	}
	return false
}

// normalKeys reports whether every object key in the JSON text is in NFC.
// Keys that are not may collide once cty normalizes them, and which value
// wins then depends on map order, for the reference as much as for FromJSON.
func normalKeys(data []byte) bool {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return true // no value, no keys
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if cty.NormalizeString(k) != k || !walk(e) {
					return false
				}
			}
		case []any:
			for _, e := range x {
				if !walk(e) {
					return false
				}
			}
		}
		return true
	}
	return walk(v)
}

// compare runs the conversion and its reference. Where a map holds several
// values that do not convert, which one the reference reports depends on
// map order: the reference runs again until it gives the same error, or
// gives up after many tries.
//
// nulls says whether the input holds a null, for legacyDefect.
func compare(got, reference func() (cty.Value, error), nulls bool) string {
	g := try(got)
	w := try(reference)
	if legacyDefect(w, nulls) {
		return unsound(g)
	}
	diff := sameOutcome(g, w)
	for i := 0; diff != "" && g.err != nil && i < 200; i++ {
		if w := try(reference); w.err != nil && sameOutcome(g, w) == "" {
			return ""
		}
	}
	return diff
}

func checkFromJSON(t *testing.T, data []byte, ty cty.Type) {
	t.Helper()
	var v any
	nulls := json.Unmarshal(data, &v) == nil && holdsNull(v)
	diff := compare(func() (cty.Value, error) { return FromJSON(data, ty) },
		func() (cty.Value, error) { return legacyFromJSON(data, ty) }, nulls)
	if diff != "" {
		t.Errorf("FromJSON(%.200q, %s): %s", data, ty.FriendlyName(), diff)
	}
}

// checkFromGo converts the document decoded by encoding/json, and again
// with its strings, maps and arrays as the other Go types FromGo takes.
func checkFromGo(t *testing.T, data []byte, ty cty.Type) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return
	}
	for _, in := range []any{v, retype(v)} {
		diff := compare(func() (cty.Value, error) { return FromGo(in, ty) },
			func() (cty.Value, error) { return legacyFromGo(in, ty) }, holdsNull(v))
		if diff != "" {
			t.Errorf("FromGo(%#v, %s): %s", in, ty.FriendlyName(), diff)
		}
	}
}

// retype turns string-only arrays and objects into []string and
// map[string]string, and numbers into float64, int or int64.
func retype(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			if i%2 == 0 {
				return int(i)
			}
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
	case []any:
		strs := make([]string, 0, len(x))
		out := make([]any, len(x))
		for i, e := range x {
			if s, ok := e.(string); ok {
				strs = append(strs, s)
			}
			out[i] = retype(e)
		}
		if len(strs) == len(x) && len(x) > 0 {
			return strs
		}
		return out
	case map[string]any:
		strs := make(map[string]string, len(x))
		out := make(map[string]any, len(x))
		for k, e := range x {
			if s, ok := e.(string); ok {
				strs[k] = s
			}
			out[k] = retype(e)
		}
		if len(strs) == len(x) && len(x) > 0 {
			return strs
		}
		return out
	}
	return v
}

// TestFromJSONDifferential checks FromJSON and FromGo against the
// conversion they replace (json -> any -> cty, legacy_values_test.go) on
// every document and type of the table.
func TestFromJSONDifferential(t *testing.T) {
	for i, doc := range differentialDocuments {
		for _, ty := range differentialTypes {
			t.Run(fmt.Sprintf("%d/%s", i, ty.FriendlyName()), func(t *testing.T) {
				checkFromJSON(t, []byte(doc), ty)
				checkFromGo(t, []byte(doc), ty)
				checkDecoderAccepts(t, doc, ty)
			})
		}
	}
}

// checkDecoderAccepts fails when the decoder leaves a document the
// reference converts to the reference, but for the two reasons it has:
// nesting deeper than it goes, and a repeated key whose first value does
// not convert.
func checkDecoderAccepts(t *testing.T, doc string, ty cty.Type) {
	t.Helper()
	ref := try(func() (cty.Value, error) { return fromJSONReference([]byte(doc), ty) })
	if ref.err != nil || ref.panic != nil || nesting(doc) > jsonscan.MaxDepth || doc == `{"a": "x", "a": "1"}` {
		return
	}
	d := jsonDecoder{Scanner: jsonscan.New([]byte(doc))}
	if _, ok := d.document(ty); !ok {
		t.Errorf("the decoder left %.200q (%s) to the reference path", doc, ty.FriendlyName())
	}
}

// nesting is the depth of arrays and objects in a JSON text.
func nesting(doc string) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(doc); i++ {
		switch c := doc[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// TestFromJSONFallsBack checks the documents FromJSON must hand to the
// reference path: it gives the reference's errors, not errors of its own.
func TestFromJSONFallsBack(t *testing.T) {
	for _, tt := range []struct {
		json string
		ty   cty.Type
	}{
		{`{"a": "x", "a": 1}`, cty.Map(cty.Number)},                                    // the first, dropped, value does not convert
		{strings.Repeat("[", 1001) + strings.Repeat("]", 1001), cty.DynamicPseudoType}, // deeper than the decoder goes
		{`[1, "x"]`, cty.List(cty.Number)},
	} {
		d := jsonDecoder{Scanner: jsonscan.New([]byte(tt.json))}
		if _, ok := d.document(tt.ty); ok {
			t.Errorf("the decoder accepted %.40s as %s", tt.json, tt.ty.FriendlyName())
		}
		checkFromJSON(t, []byte(tt.json), tt.ty)
	}
}

func FuzzFromJSON(f *testing.F) {
	for _, doc := range differentialDocuments {
		if len(doc) < 1000 {
			f.Add([]byte(doc), uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, pick uint8) {
		if !normalKeys(data) {
			t.Skip("keys that NFC changes")
		}
		ty := differentialTypes[int(pick)%len(differentialTypes)]
		checkFromJSON(t, data, ty)
		checkFromGo(t, data, ty)
		checkAsCty(t, data, ctyComparableTypes[int(pick)%len(ctyComparableTypes)])
	})
}

// TestCollectionsOfAnyAsCty checks collections of any against cty's own
// conversion (ctyjson's implied value, then convert.Convert) wherever that
// gives a value: elements unify to one type, and a JSON null takes it.
func TestCollectionsOfAnyAsCty(t *testing.T) {
	for i, doc := range differentialDocuments {
		for _, ty := range ctyComparableTypes {
			t.Run(fmt.Sprintf("%d/%s", i, ty.FriendlyName()), func(t *testing.T) {
				checkAsCty(t, []byte(doc), ty)
			})
		}
	}
}

// ctyComparableTypes are the types for which FromJSON is cty's conversion
// where cty has one: with no declared scalar or attribute, FromJSON has
// none of its own rules to apply.
var ctyComparableTypes = []cty.Type{
	cty.List(cty.DynamicPseudoType),
	cty.Set(cty.DynamicPseudoType),
	cty.Map(cty.DynamicPseudoType),
	cty.List(cty.List(cty.DynamicPseudoType)),
}

// checkAsCty fails when cty converts data to a known value of type ty and
// FromJSON or FromGo give anything else. It leaves out what ctyjson
// accepts and encoding/json does not (trailing data), and deep nesting,
// which cty's unification takes seconds over.
func checkAsCty(t *testing.T, data []byte, ty cty.Type) {
	t.Helper()
	if !json.Valid(data) || nesting(string(data)) > 20 || !normalKeys(data) {
		return
	}
	want, ok := ctyConvert(data, ty)
	if !ok {
		return
	}
	if got := try(func() (cty.Value, error) { return FromJSON(data, ty) }); sameOutcome(got, outcome{val: want}) != "" {
		t.Errorf("FromJSON(%.200q, %s): %s", data, ty.FriendlyName(), sameOutcome(got, outcome{val: want}))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return
	}
	if got := try(func() (cty.Value, error) { return FromGo(v, ty) }); sameOutcome(got, outcome{val: want}) != "" {
		t.Errorf("FromGo(%#v, %s): %s", v, ty.FriendlyName(), sameOutcome(got, outcome{val: want}))
	}
}

// ctyConvert converts data to ty with ctyjson and convert, and reports
// whether that gave a known value.
func ctyConvert(data []byte, ty cty.Type) (cty.Value, bool) {
	o := try(func() (cty.Value, error) {
		implied, err := ctyjson.ImpliedType(data)
		if err != nil {
			return cty.NilVal, err
		}
		v, err := ctyjson.Unmarshal(data, implied)
		if err != nil {
			return cty.NilVal, err
		}
		return convert.Convert(v, ty)
	})
	return o.val, o.panic == nil && o.err == nil && o.val.IsWhollyKnown()
}
