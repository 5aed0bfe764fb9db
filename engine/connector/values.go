package connector

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/zclconf/go-cty/cty"
)

// ToGo converts a known cty value into plain Go values for JSON encoding or
// for building API requests: strings, json.Number, bools, []any and
// map[string]any. Null becomes nil. Unknown values are an error.
func ToGo(v cty.Value) (any, error) {
	if v == cty.NilVal || v.IsNull() {
		return nil, nil
	}
	if !v.IsKnown() {
		return nil, fmt.Errorf("value is not known")
	}
	v, _ = v.Unmark()
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString(), nil
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInf() {
			return nil, fmt.Errorf("%s is not a JSON number", bf.Text('g', -1))
		}
		if bf.IsInt() {
			i, _ := bf.Int(nil)
			return json.Number(i.String()), nil
		}
		return json.Number(bf.Text('g', -1)), nil
	case ty == cty.Bool:
		return v.True(), nil
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			g, err := ToGo(e)
			if err != nil {
				return nil, err
			}
			out = append(out, g)
		}
		return out, nil
	case ty.IsMapType() || ty.IsObjectType():
		out := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			g, err := ToGo(e)
			if err != nil {
				return nil, err
			}
			out[k.AsString()] = g
		}
		return out, nil
	}
	return nil, fmt.Errorf("cannot convert %s", ty.FriendlyName())
}

// String returns the string attribute name of obj, or "" when it is null or
// absent.
func String(obj cty.Value, name string) string { return stringOf(plainAttr(obj, name)) }

// Bool returns the bool attribute name of obj, or def when null or absent.
func Bool(obj cty.Value, name string, def bool) bool { return boolOf(plainAttr(obj, name), def) }

// Int returns the number attribute name of obj as an int, or def.
func Int(obj cty.Value, name string, def int) int { return intOf(plainAttr(obj, name), def) }

// Strings returns a list or set of strings attribute as a slice.
func Strings(obj cty.Value, name string) []string { return stringsOf(plainAttr(obj, name)) }

// HasString reports whether Strings(obj, name) holds s, without making the
// slice: connectors' Accept functions ask it of every pushed event.
func HasString(obj cty.Value, name, s string) bool {
	found := false
	eachString(plainAttr(obj, name), func(e string) bool {
		found = e == s
		return !found
	})
	return found
}

// StringMap returns a map or object attribute whose values are strings;
// other values are encoded as JSON.
func StringMap(obj cty.Value, name string) map[string]string {
	return stringMapOf(plainAttr(obj, name))
}

// The getters of Args and of attributes of objects read an unmarked value
// with these.

func stringOf(v cty.Value) string {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

func boolOf(v cty.Value, def bool) bool {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Bool {
		return def
	}
	return v.True()
}

func intOf(v cty.Value, def int) int {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Number {
		return def
	}
	i, _ := v.AsBigFloat().Int64()
	return int(i)
}

// stringsOf unmarks each element it reads: UnmarkDeep would rebuild the
// whole value (the Okta hook's Accept reads a list for every event).
func stringsOf(v cty.Value) []string {
	if !iterable(v) {
		return nil
	}
	out := make([]string, 0, v.LengthInt())
	eachString(v, func(e string) bool {
		out = append(out, e)
		return true
	})
	return out
}

// iterable reports whether v is a known, non-null collection.
func iterable(v cty.Value) bool { return !v.IsNull() && v.IsKnown() && v.CanIterateElements() }

// eachString calls fn with the known string elements of v, a list or set
// (marks removed), until fn returns false; of anything else, none.
func eachString(v cty.Value, fn func(string) bool) {
	if !iterable(v) {
		return
	}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		e, _ = e.Unmark()
		if e.IsKnown() && !e.IsNull() && e.Type() == cty.String && !fn(e.AsString()) {
			return
		}
	}
}

func stringMapOf(v cty.Value) map[string]string {
	if !iterable(v) {
		return nil
	}
	out := make(map[string]string, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		e, _ = e.Unmark() // ToGo unmarks what is nested
		if !e.IsKnown() || e.IsNull() {
			out[k.AsString()] = ""
			continue
		}
		if e.Type() == cty.String {
			out[k.AsString()] = e.AsString()
			continue
		}
		g, err := ToGo(e)
		if err == nil {
			b, _ := json.Marshal(g)
			out[k.AsString()] = string(b)
		}
	}
	return out
}

// Attr returns the attribute name of obj, or a null of dynamic type.
func Attr(obj cty.Value, name string) cty.Value {
	v, _ := attr(obj, name)
	return v
}

// attr keeps the marks of obj and of the attribute on the result; ok
// says whether obj has the attribute.
func attr(obj cty.Value, name string) (v cty.Value, ok bool) {
	if obj == cty.NilVal || obj.IsNull() || !obj.IsKnown() {
		return cty.NullVal(cty.DynamicPseudoType), false
	}
	obj, marks := obj.Unmark()
	ty := obj.Type()
	if ty.IsObjectType() && ty.HasAttribute(name) {
		return obj.GetAttr(name).WithMarks(marks), true
	}
	if ty.IsMapType() {
		k := cty.StringVal(name)
		if obj.HasIndex(k).True() {
			return obj.Index(k).WithMarks(marks), true
		}
	}
	return cty.NullVal(cty.DynamicPseudoType), false
}

// plainAttr is attr without its marks: the typed getters hand connectors
// plain Go values, and cty panics on reading a marked value.
func plainAttr(obj cty.Value, name string) cty.Value {
	v, _ := attr(obj, name)
	v, _ = v.Unmark()
	return v
}

// SortedKeys returns the keys of m in order, for deterministic output.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
