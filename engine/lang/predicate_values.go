package lang

import (
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

// Types returns the types of env's values, for ExprChecker.CompilePredicate.
func Types(env map[string]cty.Value) map[string]cty.Type {
	out := make(map[string]cty.Type, len(env))
	for k, v := range env {
		out[k] = v.Type()
	}
	return out
}
