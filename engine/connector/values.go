package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// FromJSON decodes JSON into a value of type ty, the way connectors turn API
// responses into card outputs: attributes missing from the JSON become null,
// attributes the type does not declare are dropped, and scalars convert
// between strings, numbers and bools where the text allows it.
func FromJSON(data []byte, ty cty.Type) (cty.Value, error) {
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

// FromGo converts a JSON-like Go value (nil, bool, string, json.Number,
// float64, int, int64, []any, map[string]any, []string, map[string]string)
// into a value of type ty, with the rules of FromJSON.
func FromGo(v any, ty cty.Type) (cty.Value, error) {
	return fromGo(v, ty, nil)
}

func fromGo(v any, ty cty.Type, path cty.Path) (cty.Value, error) {
	if v == nil {
		return cty.NullVal(ty), nil
	}
	if ty == cty.DynamicPseudoType {
		return implied(v, path)
	}
	switch {
	case ty == cty.String:
		switch x := v.(type) {
		case string:
			return cty.StringVal(x), nil
		case json.Number:
			return cty.StringVal(x.String()), nil
		case bool:
			return cty.StringVal(strconv.FormatBool(x)), nil
		case float64:
			return cty.StringVal(strconv.FormatFloat(x, 'f', -1, 64)), nil
		case int:
			return cty.StringVal(strconv.Itoa(x)), nil
		case int64:
			return cty.StringVal(strconv.FormatInt(x, 10)), nil
		}
		// Structured values where a string is declared: keep them as JSON
		// text rather than failing the whole response.
		b, err := json.Marshal(v)
		if err != nil {
			return cty.NilVal, path.NewErrorf("cannot convert %T to string", v)
		}
		return cty.StringVal(string(b)), nil
	case ty == cty.Number:
		switch x := v.(type) {
		case json.Number:
			return parseNumber(x.String(), path)
		case string:
			if x == "" {
				return cty.NullVal(cty.Number), nil
			}
			return parseNumber(x, path)
		case float64:
			return cty.NumberFloatVal(x), nil
		case int:
			return cty.NumberIntVal(int64(x)), nil
		case int64:
			return cty.NumberIntVal(x), nil
		}
	case ty == cty.Bool:
		switch x := v.(type) {
		case bool:
			return cty.BoolVal(x), nil
		case string:
			if x == "" {
				return cty.NullVal(cty.Bool), nil
			}
			b, err := strconv.ParseBool(x)
			if err != nil {
				return cty.NilVal, path.NewErrorf("%q is not a bool", x)
			}
			return cty.BoolVal(b), nil
		}
	case ty.IsListType() || ty.IsSetType():
		elems, ok := asSlice(v)
		if !ok {
			break
		}
		ety := ty.ElementType()
		if len(elems) == 0 {
			if ty.IsSetType() {
				return cty.SetValEmpty(ety), nil
			}
			return cty.ListValEmpty(ety), nil
		}
		vals := make([]cty.Value, len(elems))
		for i, e := range elems {
			ev, err := fromGo(e, ety, path.IndexInt(i))
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = ev
		}
		vals, err := unifyElements(vals, ety, path)
		if err != nil {
			return cty.NilVal, err
		}
		if ty.IsSetType() {
			return cty.SetVal(vals), nil
		}
		return cty.ListVal(vals), nil
	case ty.IsMapType():
		m, ok := asMap(v)
		if !ok {
			break
		}
		if len(m) == 0 {
			return cty.MapValEmpty(ty.ElementType()), nil
		}
		vals := make(map[string]cty.Value, len(m))
		for k, e := range m {
			ev, err := fromGo(e, ty.ElementType(), path.GetAttr(k))
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = ev
		}
		if ety := ty.ElementType(); ety.HasDynamicTypes() {
			keys := SortedKeys(vals)
			list := make([]cty.Value, len(keys))
			for i, k := range keys {
				list[i] = vals[k]
			}
			list, err := unifyElements(list, ety, path)
			if err != nil {
				return cty.NilVal, err
			}
			for i, k := range keys {
				vals[k] = list[i]
			}
		}
		return cty.MapVal(vals), nil
	case ty.IsObjectType():
		m, ok := asMap(v)
		if !ok {
			break
		}
		atys := ty.AttributeTypes()
		vals := make(map[string]cty.Value, len(atys))
		for name, aty := range atys {
			av, err := fromGo(m[name], aty, path.GetAttr(name))
			if err != nil {
				return cty.NilVal, err
			}
			vals[name] = av
		}
		return cty.ObjectVal(vals), nil
	case ty.IsTupleType():
		elems, ok := asSlice(v)
		if !ok {
			break
		}
		etys := ty.TupleElementTypes()
		vals := make([]cty.Value, len(etys))
		for i, ety := range etys {
			var e any
			if i < len(elems) {
				e = elems[i]
			}
			ev, err := fromGo(e, ety, path.IndexInt(i))
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = ev
		}
		return cty.TupleVal(vals), nil
	}
	return cty.NilVal, path.NewErrorf("cannot convert %T to %s", v, ty.FriendlyName())
}

// unifyElements converts the elements of a collection whose declared
// element type is dynamic to one type, as cty collections require: a
// list(any) of a string and a number becomes a list of strings. Elements
// that have no common type are an error, not a panic.
func unifyElements(vals []cty.Value, ety cty.Type, path cty.Path) ([]cty.Value, error) {
	if !ety.HasDynamicTypes() || len(vals) < 2 {
		return vals, nil
	}
	types := make([]cty.Type, len(vals))
	for i, v := range vals {
		types[i] = v.Type()
	}
	unified, convs := convert.Unify(types)
	if unified == cty.NilType {
		return nil, path.NewErrorf("the elements have no common type")
	}
	out := make([]cty.Value, len(vals))
	for i, v := range vals {
		if convs[i] == nil {
			out[i] = v
			continue
		}
		c, err := convs[i](v)
		if err != nil {
			return nil, path.NewErrorf("the elements have no common type: %v", err)
		}
		out[i] = c
	}
	return out, nil
}

func parseNumber(s string, path cty.Path) (cty.Value, error) {
	f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil || f.IsInf() { // "Inf" parses, but is no JSON number
		return cty.NilVal, path.NewErrorf("%q is not a number", s)
	}
	return cty.NumberVal(f), nil
}

func asSlice(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = e
		}
		return s, true
	}
	return nil, false
}

func asMap(v any) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = e
		}
		return m, true
	}
	return nil, false
}

// implied converts a Go value to cty without a declared type: objects stay
// objects, arrays become tuples.
func implied(v any, path cty.Path) (cty.Value, error) {
	switch x := v.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType), nil
	case string:
		return cty.StringVal(x), nil
	case bool:
		return cty.BoolVal(x), nil
	case json.Number, float64, int, int64:
		return fromGo(x, cty.Number, path)
	}
	if elems, ok := asSlice(v); ok {
		if len(elems) == 0 {
			return cty.EmptyTupleVal, nil
		}
		vals := make([]cty.Value, len(elems))
		for i, e := range elems {
			ev, err := implied(e, path.IndexInt(i))
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = ev
		}
		return cty.TupleVal(vals), nil
	}
	if m, ok := asMap(v); ok {
		if len(m) == 0 {
			return cty.EmptyObjectVal, nil
		}
		vals := make(map[string]cty.Value, len(m))
		for k, e := range m {
			ev, err := implied(e, path.GetAttr(k))
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = ev
		}
		return cty.ObjectVal(vals), nil
	}
	return cty.NilVal, path.NewErrorf("cannot convert %T", v)
}

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
// absent. Actions use it on their Input.
func String(obj cty.Value, name string) string {
	v := plainAttr(obj, name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// Bool returns the bool attribute name of obj, or def when null or absent.
func Bool(obj cty.Value, name string, def bool) bool {
	v := plainAttr(obj, name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Bool {
		return def
	}
	return v.True()
}

// Int returns the number attribute name of obj as an int, or def.
func Int(obj cty.Value, name string, def int) int {
	v := plainAttr(obj, name)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.Number {
		return def
	}
	i, _ := v.AsBigFloat().Int64()
	return int(i)
}

// Strings returns a list or set of strings attribute as a slice.
func Strings(obj cty.Value, name string) []string {
	v := plainAttr(obj, name)
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
		return nil
	}
	out := make([]string, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsKnown() && !e.IsNull() && e.Type() == cty.String {
			out = append(out, e.AsString())
		}
	}
	return out
}

// StringMap returns a map or object attribute whose values are strings.
func StringMap(obj cty.Value, name string) map[string]string {
	v := plainAttr(obj, name)
	if v.IsNull() || !v.IsKnown() || !v.CanIterateElements() {
		return nil
	}
	out := make(map[string]string, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
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
func Attr(obj cty.Value, name string) cty.Value { return attr(obj, name) }

// attr keeps the marks of obj and of the attribute on the result.
func attr(obj cty.Value, name string) cty.Value {
	if obj == cty.NilVal || obj.IsNull() || !obj.IsKnown() {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	obj, marks := obj.Unmark()
	ty := obj.Type()
	if ty.IsObjectType() && ty.HasAttribute(name) {
		return obj.GetAttr(name).WithMarks(marks)
	}
	if ty.IsMapType() {
		k := cty.StringVal(name)
		if obj.HasIndex(k).True() {
			return obj.Index(k).WithMarks(marks)
		}
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

// plainAttr is attr without marks: the typed getters hand connectors plain
// Go values, and cty panics on reading a marked value.
func plainAttr(obj cty.Value, name string) cty.Value {
	v, _ := attr(obj, name).UnmarkDeep()
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
