package lang

import (
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/zclconf/go-cty/cty"
)

// ExprValue converts a cty value to what expr-lang evaluates: strings,
// float64/int, bools, []any and map[string]any; null and unknown are nil.
func ExprValue(v cty.Value) any {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return nil
	}
	v, _ = v.UnmarkDeep()
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString()
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInt() {
			if i, acc := bf.Int64(); acc == big.Exact {
				return int(i)
			}
		}
		f, _ := bf.Float64()
		return f
	case ty == cty.Bool:
		return v.True()
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, ExprValue(e))
		}
		return out
	case ty.IsMapType() || ty.IsObjectType():
		out := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = ExprValue(e)
		}
		return out
	}
	return nil
}

// FromExprValue converts an expr-lang result back to cty.
func FromExprValue(x any) (cty.Value, error) {
	switch t := x.(type) {
	case nil:
		return cty.NullVal(cty.DynamicPseudoType), nil
	case int:
		return cty.NumberIntVal(int64(t)), nil
	case int64:
		return cty.NumberIntVal(t), nil
	case float64:
		return cty.NumberFloatVal(t), nil
	case json.Number:
		return cty.ParseNumberVal(t.String())
	case string:
		return cty.StringVal(t), nil
	case bool:
		return cty.BoolVal(t), nil
	case []any:
		if len(t) == 0 {
			return cty.EmptyTupleVal, nil
		}
		vals := make([]cty.Value, len(t))
		for i, e := range t {
			v, err := FromExprValue(e)
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = v
		}
		return cty.TupleVal(vals), nil
	case map[string]any:
		if len(t) == 0 {
			return cty.EmptyObjectVal, nil
		}
		vals := make(map[string]cty.Value, len(t))
		for k, e := range t {
			v, err := FromExprValue(e)
			if err != nil {
				return cty.NilVal, err
			}
			vals[k] = v
		}
		return cty.ObjectVal(vals), nil
	}
	return cty.NilVal, fmt.Errorf("cannot convert %T", x)
}

// Types returns the types of env's values, for CompilePredicate.
func Types(env map[string]cty.Value) map[string]cty.Type {
	out := make(map[string]cty.Type, len(env))
	for k, v := range env {
		out[k] = v.Type()
	}
	return out
}
