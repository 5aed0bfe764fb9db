package connector

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// FromGo converts a JSON-like Go value (nil, bool, string, json.Number,
// float64, int, int64, []any, map[string]any, []string, map[string]string)
// into a value of type ty, with the rules of FromJSON.
func FromGo(v any, ty cty.Type) (cty.Value, error) {
	var c goConverter
	return c.convert(v, ty)
}

// goConverter converts Go values to cty. It keeps the path to the value
// being converted as plain steps and builds a cty.Path only for an error:
// a cty.Path step is an interface (and an index step a big.Float), which
// cost an allocation or two for every value converted.
type goConverter struct {
	steps []pathStep
}

// pathStep is an attribute name, or an index when name is "" and index is
// at least 0.
type pathStep struct {
	name  string
	index int
}

func (c *goConverter) pushAttr(name string) {
	c.steps = append(c.steps, pathStep{name: name, index: -1})
}
func (c *goConverter) pushIndex(i int) { c.steps = append(c.steps, pathStep{index: i}) }
func (c *goConverter) pop()            { c.steps = c.steps[:len(c.steps)-1] }

// path is the cty.Path of the steps.
func (c *goConverter) path() cty.Path {
	p := make(cty.Path, 0, len(c.steps))
	for _, s := range c.steps {
		if s.index >= 0 {
			p = p.IndexInt(s.index)
		} else {
			p = p.GetAttr(s.name)
		}
	}
	return p
}

func (c *goConverter) errorf(format string, args ...any) error {
	return c.path().NewErrorf(format, args...)
}

func (c *goConverter) convert(v any, ty cty.Type) (cty.Value, error) {
	if v == nil {
		return cty.NullVal(ty), nil
	}
	switch {
	case ty == cty.DynamicPseudoType:
		return c.implied(v)
	case ty == cty.String:
		return c.toString(v)
	case ty == cty.Number:
		if val, ok, err := c.toNumber(v); ok {
			return val, err
		}
	case ty == cty.Bool:
		if val, ok, err := c.toBool(v); ok {
			return val, err
		}
	case ty.IsListType() || ty.IsSetType():
		if val, ok, err := c.toList(v, ty); ok {
			return val, err
		}
	case ty.IsMapType():
		if val, ok, err := c.toMap(v, ty); ok {
			return val, err
		}
	case ty.IsObjectType():
		if val, ok, err := c.toObject(v, ty); ok {
			return val, err
		}
	case ty.IsTupleType():
		if val, ok, err := c.toTuple(v, ty); ok {
			return val, err
		}
	}
	return cty.NilVal, c.errorf("cannot convert %T to %s", v, ty.FriendlyName())
}

func (c *goConverter) toString(v any) (cty.Value, error) {
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
		return cty.NilVal, c.errorf("cannot convert %T to string", v)
	}
	return cty.StringVal(string(b)), nil
}

// toNumber, like the other to* methods, reports false when v is of a kind
// that does not convert to the type at all.
func (c *goConverter) toNumber(v any) (cty.Value, bool, error) {
	switch x := v.(type) {
	case json.Number:
		val, err := c.parseNumber(x.String())
		return val, true, err
	case string:
		if x == "" {
			return cty.NullVal(cty.Number), true, nil
		}
		val, err := c.parseNumber(x)
		return val, true, err
	case float64:
		return cty.NumberFloatVal(x), true, nil
	case int:
		return cty.NumberIntVal(int64(x)), true, nil
	case int64:
		return cty.NumberIntVal(x), true, nil
	}
	return cty.NilVal, false, nil
}

func (c *goConverter) parseNumber(s string) (cty.Value, error) {
	if v, ok := parseNumber(s); ok {
		return v, nil
	}
	return cty.NilVal, c.errorf("%q is not a number", s)
}

func (c *goConverter) toBool(v any) (cty.Value, bool, error) {
	switch x := v.(type) {
	case bool:
		return cty.BoolVal(x), true, nil
	case string:
		if x == "" {
			return cty.NullVal(cty.Bool), true, nil
		}
		b, err := strconv.ParseBool(x)
		if err != nil {
			return cty.NilVal, true, c.errorf("%q is not a bool", x)
		}
		return cty.BoolVal(b), true, nil
	}
	return cty.NilVal, false, nil
}

func (c *goConverter) toList(v any, ty cty.Type) (cty.Value, bool, error) {
	var vals []cty.Value
	var err error
	switch x := v.(type) {
	case []any:
		vals, err = convertElements(c, x, ty.ElementType())
	case []string:
		vals, err = convertElements(c, x, ty.ElementType())
	default:
		return cty.NilVal, false, nil
	}
	if err != nil {
		return cty.NilVal, true, err
	}
	val, err := collection(vals, ty)
	if err != nil {
		return cty.NilVal, true, c.path().NewError(err)
	}
	return val, true, nil
}

func convertElements[E any](c *goConverter, xs []E, ety cty.Type) ([]cty.Value, error) {
	vals := make([]cty.Value, len(xs))
	for i, e := range xs {
		c.pushIndex(i)
		ev, err := c.convert(e, ety)
		c.pop()
		if err != nil {
			return nil, err
		}
		vals[i] = ev
	}
	return vals, nil
}

// collection makes a list or set of type ty from converted elements.
func collection(vals []cty.Value, ty cty.Type) (cty.Value, error) {
	ety := ty.ElementType()
	if len(vals) == 0 {
		if ty.IsSetType() {
			return cty.SetValEmpty(ety), nil
		}
		return cty.ListValEmpty(ety), nil
	}
	vals, err := unifyElements(vals, ety)
	if err != nil {
		return cty.NilVal, err
	}
	if ty.IsSetType() {
		return cty.SetVal(vals), nil
	}
	return cty.ListVal(vals), nil
}

func (c *goConverter) toMap(v any, ty cty.Type) (cty.Value, bool, error) {
	var vals map[string]cty.Value
	var err error
	switch x := v.(type) {
	case map[string]any:
		vals, err = convertEntries(c, x, ty.ElementType())
	case map[string]string:
		vals, err = convertEntries(c, x, ty.ElementType())
	default:
		return cty.NilVal, false, nil
	}
	if err != nil {
		return cty.NilVal, true, err
	}
	val, err := mapValue(vals, ty.ElementType())
	if err != nil {
		return cty.NilVal, true, c.path().NewError(err)
	}
	return val, true, nil
}

func convertEntries[V any](c *goConverter, m map[string]V, ety cty.Type) (map[string]cty.Value, error) {
	vals := make(map[string]cty.Value, len(m))
	for k, e := range m {
		c.pushAttr(k)
		ev, err := c.convert(e, ety)
		c.pop()
		if err != nil {
			return nil, err
		}
		vals[k] = ev
	}
	return vals, nil
}

// mapValue makes a map of element type ety from converted elements.
func mapValue(vals map[string]cty.Value, ety cty.Type) (cty.Value, error) {
	if len(vals) == 0 {
		return cty.MapValEmpty(ety), nil
	}
	if ety.HasDynamicTypes() {
		keys := SortedKeys(vals)
		list := make([]cty.Value, len(keys))
		for i, k := range keys {
			list[i] = vals[k]
		}
		list, err := unifyElements(list, ety)
		if err != nil {
			return cty.NilVal, err
		}
		for i, k := range keys {
			vals[k] = list[i]
		}
	}
	return cty.MapVal(vals), nil
}

func (c *goConverter) toObject(v any, ty cty.Type) (cty.Value, bool, error) {
	var val cty.Value
	var err error
	switch x := v.(type) {
	case map[string]any:
		val, err = objectFrom(c, x, ty)
	case map[string]string:
		val, err = objectFrom(c, x, ty)
	default:
		return cty.NilVal, false, nil
	}
	return val, true, err
}

// objectFrom converts the attributes of ty that m has; the others are null.
func objectFrom[V any](c *goConverter, m map[string]V, ty cty.Type) (cty.Value, error) {
	atys := ty.AttributeTypes()
	vals := make(map[string]cty.Value, len(atys))
	for name, aty := range atys {
		var e any
		if x, ok := m[name]; ok {
			e = x
		}
		c.pushAttr(name)
		av, err := c.convert(e, aty)
		c.pop()
		if err != nil {
			return cty.NilVal, err
		}
		vals[name] = av
	}
	return cty.ObjectVal(vals), nil
}

func (c *goConverter) toTuple(v any, ty cty.Type) (cty.Value, bool, error) {
	var val cty.Value
	var err error
	switch x := v.(type) {
	case []any:
		val, err = tupleFrom(c, x, ty)
	case []string:
		val, err = tupleFrom(c, x, ty)
	default:
		return cty.NilVal, false, nil
	}
	return val, true, err
}

// tupleFrom converts the elements of xs that ty declares: the rest are
// dropped, and missing ones are null.
func tupleFrom[E any](c *goConverter, xs []E, ty cty.Type) (cty.Value, error) {
	etys := ty.TupleElementTypes()
	vals := make([]cty.Value, len(etys))
	for i, ety := range etys {
		var e any
		if i < len(xs) {
			e = xs[i]
		}
		c.pushIndex(i)
		ev, err := c.convert(e, ety)
		c.pop()
		if err != nil {
			return cty.NilVal, err
		}
		vals[i] = ev
	}
	return cty.TupleVal(vals), nil
}

// implied converts a Go value to cty without a declared type: objects stay
// objects, arrays become tuples.
func (c *goConverter) implied(v any) (cty.Value, error) {
	switch x := v.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType), nil
	case string:
		return cty.StringVal(x), nil
	case bool:
		return cty.BoolVal(x), nil
	case json.Number, float64, int, int64:
		val, _, err := c.toNumber(x)
		return val, err
	case []any:
		return impliedTuple(c, x)
	case []string:
		return impliedTuple(c, x)
	case map[string]any:
		return impliedObject(c, x)
	case map[string]string:
		return impliedObject(c, x)
	}
	return cty.NilVal, c.errorf("cannot convert %T", v)
}

func impliedTuple[E any](c *goConverter, xs []E) (cty.Value, error) {
	if len(xs) == 0 {
		return cty.EmptyTupleVal, nil
	}
	vals := make([]cty.Value, len(xs))
	for i, e := range xs {
		c.pushIndex(i)
		ev, err := c.implied(e)
		c.pop()
		if err != nil {
			return cty.NilVal, err
		}
		vals[i] = ev
	}
	return cty.TupleVal(vals), nil
}

func impliedObject[V any](c *goConverter, m map[string]V) (cty.Value, error) {
	if len(m) == 0 {
		return cty.EmptyObjectVal, nil
	}
	vals := make(map[string]cty.Value, len(m))
	for k, e := range m {
		c.pushAttr(k)
		ev, err := c.implied(e)
		c.pop()
		if err != nil {
			return cty.NilVal, err
		}
		vals[k] = ev
	}
	return cty.ObjectVal(vals), nil
}

// unifyElements converts the elements of a collection whose declared
// element type is dynamic to one type, as cty collections require: a
// list(any) of a string and a number becomes a list of strings. Elements
// that have no common type are an error, never a panic and never unknown
// values.
//
// A null of dynamic type, a JSON null where the type says any, has no type
// of its own: it becomes a null of the type the other elements unify to,
// as convert.Convert makes it ([1, null] is a list of numbers). Left in,
// it makes convert.Unify settle on the dynamic type and convert nothing,
// or convert objects and tuples to unknown values.
func unifyElements(vals []cty.Value, ety cty.Type) ([]cty.Value, error) {
	if !ety.HasDynamicTypes() || len(vals) < 2 {
		return vals, nil
	}
	types := make([]cty.Type, 0, len(vals))
	nested := false // a null of dynamic type inside an element
	for _, v := range vals {
		if ty := v.Type(); ty != cty.DynamicPseudoType {
			types = append(types, ty)
			nested = nested || ty.HasDynamicTypes()
		}
	}
	if len(types) == 0 {
		return vals, nil // nulls only: a list of them is a valid list(any)
	}
	unify := convert.Unify
	if nested {
		// Nulls inside the elements ({"a": null} beside {"a": 1}) have no
		// safe conversion to a type: the unsafe unification, which
		// convert.Convert uses, gives them that of their siblings.
		unify = convert.UnifyUnsafe
	}
	unified, convs := unify(types)
	if unified == cty.NilType {
		return nil, errNoCommonType
	}
	out := make([]cty.Value, len(vals))
	next := 0 // the index in types and convs of the next typed element
	for i, v := range vals {
		if v.Type() == cty.DynamicPseudoType {
			out[i] = cty.NullVal(unified)
			continue
		}
		conv := convs[next]
		next++
		if conv != nil {
			var err error
			if v, err = conv(v); err != nil {
				return nil, fmt.Errorf("%w: %v", errNoCommonType, err)
			}
		}
		// What is still dynamic after the unsafe unification (an object
		// beside a null in an element) converts to unknown values, or not
		// at all: cty.ListVal would panic.
		if !v.Type().Equals(unified) || !v.IsWhollyKnown() {
			return nil, errNoCommonType
		}
		out[i] = v
	}
	return out, nil
}

// errNoCommonType is the error of a collection of any whose elements do
// not convert to one type.
var errNoCommonType = errors.New("the elements have no common type")

// parseNumber parses decimal text as cty does (cty.ParseNumberVal): a
// big.Float of 512 bits.
func parseNumber(s string) (cty.Value, bool) {
	f, _, err := big.ParseFloat(s, 10, 512, big.ToNearestEven)
	if err != nil || f.IsInf() { // "Inf" parses, but is no JSON number
		return cty.NilVal, false
	}
	return cty.NumberVal(f), true
}
