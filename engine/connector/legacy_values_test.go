package connector

// This file keeps the conversions FromJSON and FromGo as they were before the
// type-guided decoder (json -> any -> cty), verbatim but for the names: the
// differential tests and fuzz tests compare the current implementation with
// it, and the benchmarks measure both.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strconv"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// legacyFromJSON decodes JSON into a value of type ty, the way connectors turn API
// responses into card outputs: attributes missing from the JSON become null,
// attributes the type does not declare are dropped, and scalars convert
// between strings, numbers and bools where the text allows it.
func legacyFromJSON(data []byte, ty cty.Type) (cty.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return cty.NilVal, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return cty.NilVal, fmt.Errorf("unexpected data after the JSON value at offset %d", dec.InputOffset())
	}
	return legacyFromGo(v, ty)
}

// legacyFromGo converts a JSON-like Go value (nil, bool, string, json.Number,
// float64, int, int64, []any, map[string]any, []string, map[string]string)
// into a value of type ty, with the rules of legacyFromJSON.
func legacyFromGo(v any, ty cty.Type) (cty.Value, error) {
	return legacyConvert(v, ty, nil)
}

func legacyConvert(v any, ty cty.Type, path cty.Path) (cty.Value, error) {
	if v == nil {
		return cty.NullVal(ty), nil
	}
	if ty == cty.DynamicPseudoType {
		return legacyImplied(v, path)
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
			return legacyParseNumber(x.String(), path)
		case string:
			if x == "" {
				return cty.NullVal(cty.Number), nil
			}
			return legacyParseNumber(x, path)
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
		elems, ok := legacyAsSlice(v)
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
			ev, err := legacyConvert(e, ety, path.IndexInt(i))
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = ev
		}
		vals, err := legacyUnify(vals, ety, path)
		if err != nil {
			return cty.NilVal, err
		}
		if ty.IsSetType() {
			return cty.SetVal(vals), nil
		}
		return cty.ListVal(vals), nil
	case ty.IsMapType():
		m, ok := legacyAsMap(v)
		if !ok {
			break
		}
		if len(m) == 0 {
			return cty.MapValEmpty(ty.ElementType()), nil
		}
		vals := make(map[string]cty.Value, len(m))
		for k, e := range m {
			ev, err := legacyConvert(e, ty.ElementType(), path.GetAttr(k))
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
			list, err := legacyUnify(list, ety, path)
			if err != nil {
				return cty.NilVal, err
			}
			for i, k := range keys {
				vals[k] = list[i]
			}
		}
		return cty.MapVal(vals), nil
	case ty.IsObjectType():
		m, ok := legacyAsMap(v)
		if !ok {
			break
		}
		atys := ty.AttributeTypes()
		vals := make(map[string]cty.Value, len(atys))
		for name, aty := range atys {
			av, err := legacyConvert(m[name], aty, path.GetAttr(name))
			if err != nil {
				return cty.NilVal, err
			}
			vals[name] = av
		}
		return cty.ObjectVal(vals), nil
	case ty.IsTupleType():
		elems, ok := legacyAsSlice(v)
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
			ev, err := legacyConvert(e, ety, path.IndexInt(i))
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = ev
		}
		return cty.TupleVal(vals), nil
	}
	return cty.NilVal, path.NewErrorf("cannot convert %T to %s", v, ty.FriendlyName())
}

// legacyUnify converts the elements of a collection whose declared
// element type is dynamic to one type, as cty collections require: a
// list(any) of a string and a number becomes a list of strings. Elements
// that have no common type are an error, not a panic.
func legacyUnify(vals []cty.Value, ety cty.Type, path cty.Path) ([]cty.Value, error) {
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

func legacyParseNumber(s string, path cty.Path) (cty.Value, error) {
	f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil || f.IsInf() { // "Inf" parses, but is no JSON number
		return cty.NilVal, path.NewErrorf("%q is not a number", s)
	}
	return cty.NumberVal(f), nil
}

func legacyAsSlice(v any) ([]any, bool) {
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

func legacyAsMap(v any) (map[string]any, bool) {
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
func legacyImplied(v any, path cty.Path) (cty.Value, error) {
	switch x := v.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType), nil
	case string:
		return cty.StringVal(x), nil
	case bool:
		return cty.BoolVal(x), nil
	case json.Number, float64, int, int64:
		return legacyConvert(x, cty.Number, path)
	}
	if elems, ok := legacyAsSlice(v); ok {
		if len(elems) == 0 {
			return cty.EmptyTupleVal, nil
		}
		vals := make([]cty.Value, len(elems))
		for i, e := range elems {
			ev, err := legacyImplied(e, path.IndexInt(i))
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = ev
		}
		return cty.TupleVal(vals), nil
	}
	if m, ok := legacyAsMap(v); ok {
		if len(m) == 0 {
			return cty.EmptyObjectVal, nil
		}
		vals := make(map[string]cty.Value, len(m))
		for k, e := range m {
			ev, err := legacyImplied(e, path.GetAttr(k))
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = ev
		}
		return cty.ObjectVal(vals), nil
	}
	return cty.NilVal, path.NewErrorf("cannot convert %T", v)
}
