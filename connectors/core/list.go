package core

import (
	"context"
	"encoding/json"

	"math/big"
	"sync"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/zclconf/go-cty/cty"
)

// List is the list connector: list.filter and list.map with expr-lang.
func List() *connector.Connector {
	items := connector.Attribute{Name: "items", Type: cty.DynamicPseudoType, Required: true, Doc: "A list, set or tuple."}
	return &connector.Connector{
		Name: "list",
		Doc:  "List functions with expr-lang expressions over item and index.",
		Actions: []*connector.Action{
			{
				Name: "filter",
				Doc:  "Keeps the items for which where is true: where = \"item.status == 'ACTIVE'\". The output is { items, count }.",
				Input: connector.Schema{items,
					{Name: "where", Type: cty.String, Required: true, Check: checkExpr,
						Doc: "An expr-lang expression over item and index (from 0) that gives a bool; any other result fails the card."},
				},
				Output: cty.Object(map[string]cty.Type{"items": cty.DynamicPseudoType, "count": cty.Number}),
				Effect: connector.Pure,
				Do:     listFilter,
			},
			{
				Name: "map",
				Doc:  "Replaces each item by an expression's value: expr = \"item.profile.login\". The output is { items }.",
				Input: connector.Schema{items,
					{Name: "expr", Type: cty.String, Required: true, Check: checkExpr,
						Doc: "An expr-lang expression over item and index (from 0); its value replaces the item."},
				},
				Output: cty.Object(map[string]cty.Type{"items": cty.DynamicPseudoType}),
				Effect: connector.Pure,
				Do:     listMap,
			},
		},
	}
}

var programs sync.Map // source → *vm.Program

func compileExpr(src string) (*vm.Program, error) {
	if p, ok := programs.Load(src); ok {
		return p.(*vm.Program), nil
	}
	p, err := expr.Compile(src, expr.AllowUndefinedVariables())
	if err != nil {
		return nil, err
	}
	programs.Store(src, p)
	return p, nil
}

func checkExpr(v cty.Value) error {
	_, err := compileExpr(v.AsString())
	return err
}

func eachItem(call *connector.Call, src string, fn func(i int, item cty.Value, out any) error) error {
	prog, err := compileExpr(src)
	if err != nil {
		return connector.Errorf(connector.Invalid, "%v", err)
	}
	list := call.Input.Get("items")
	if list.IsNull() {
		return nil
	}
	if ty := list.Type(); !ty.IsListType() && !ty.IsSetType() && !ty.IsTupleType() {
		return connector.Errorf(connector.Invalid, "items is %s, not a list", list.Type().FriendlyName())
	}
	i := 0
	for it := list.ElementIterator(); it.Next(); i++ {
		_, item := it.Element()
		out, err := expr.Run(prog, map[string]any{"item": exprValue(item), "index": i})
		if err != nil {
			return connector.Errorf(connector.Invalid, "item %d: %v", i, err)
		}
		if err := fn(i, item, out); err != nil {
			return err
		}
	}
	return nil
}

func listFilter(_ context.Context, call *connector.Call) (cty.Value, error) {
	var kept []cty.Value
	err := eachItem(call, call.Input.String("where"), func(i int, item cty.Value, out any) error {
		b, ok := out.(bool)
		if !ok {
			return connector.Errorf(connector.Invalid, "where returned %T for item %d, not a bool", out, i)
		}
		if b {
			kept = append(kept, item)
		}
		return nil
	})
	if err != nil {
		return cty.NilVal, err
	}
	items := cty.EmptyTupleVal
	if len(kept) > 0 {
		items = cty.TupleVal(kept)
	}
	return cty.ObjectVal(map[string]cty.Value{"items": items, "count": cty.NumberIntVal(int64(len(kept)))}), nil
}

func listMap(_ context.Context, call *connector.Call) (cty.Value, error) {
	var mapped []cty.Value
	err := eachItem(call, call.Input.String("expr"), func(_ int, _ cty.Value, out any) error {
		v, err := connector.FromGo(out, cty.DynamicPseudoType)
		if err != nil {
			return connector.Errorf(connector.Invalid, "%v", err)
		}
		mapped = append(mapped, v)
		return nil
	})
	if err != nil {
		return cty.NilVal, err
	}
	items := cty.EmptyTupleVal
	if len(mapped) > 0 {
		items = cty.TupleVal(mapped)
	}
	return cty.ObjectVal(map[string]cty.Value{"items": items}), nil
}

// exprValue converts cty to the plain values expr-lang works with.
func exprValue(v cty.Value) any {
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	v, _ = v.UnmarkDeep()
	if v.Type() == cty.Number {
		bf := v.AsBigFloat()
		if i, acc := bf.Int64(); acc == big.Exact {
			return int(i)
		}
		f, _ := bf.Float64()
		return f
	}
	g, err := connector.ToGo(v)
	if err != nil {
		return nil
	}
	return normalize(g)
}

// normalize turns json.Number inside ToGo's output into int or float64.
func normalize(g any) any {
	switch x := g.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return int(i)
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalize(x[k])
		}
	}
	return g
}
