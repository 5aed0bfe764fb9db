package core

import (
	"context"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/expr-lang/expr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Table is the table connector: flow tables declared with table blocks.
// The table argument is a reference, table = table.approvals.
func Table() *connector.Connector {
	tableArg := connector.Attribute{Name: "table", Type: cty.String, Required: true, Doc: "The table: table.<name>."}
	keyArg := connector.Attribute{Name: "key", Type: cty.String, Required: true, Doc: "The row's key."}
	return &connector.Connector{
		Name: "table",
		Doc:  "Flow tables: small keyed stores owned by flows, kept in the engine's store.",
		// Its rows are the engine's own: a dry run's live in its memory.
		InEngine: true,
		Actions: []*connector.Action{
			{
				Name: "put",
				Doc:  "Inserts or replaces a row. Columns absent from row are null. The output is { key, row }.",
				Input: connector.Schema{tableArg, keyArg,
					{Name: "row", Type: cty.DynamicPseudoType, Required: true, Doc: "An object of column values."},
				},
				Output: cty.Object(map[string]cty.Type{"key": cty.String, "row": cty.DynamicPseudoType}),
				Effect: connector.Write,
				Do:     tablePut,
			},
			{
				Name:   "get",
				Doc:    "Reads a row. The output is { found, row }; row is null when not found.",
				Input:  connector.Schema{tableArg, keyArg},
				Output: cty.Object(map[string]cty.Type{"found": cty.Bool, "row": cty.DynamicPseudoType}),
				Effect: connector.Read,
				Do:     tableGet,
			},
			{
				Name:   "delete",
				Doc:    "Deletes a row. The output is { found }.",
				Input:  connector.Schema{tableArg, keyArg},
				Output: cty.Object(map[string]cty.Type{"found": cty.Bool}),
				Effect: connector.Write,
				Do:     tableDelete,
			},
			{
				Name:   "clear",
				Doc:    "Deletes every row (Okta Workflows' Clear Table). The output is { deleted }, the number of rows deleted.",
				Input:  connector.Schema{tableArg},
				Output: cty.Object(map[string]cty.Type{"deleted": cty.Number}),
				Effect: connector.Write,
				Do:     tableClear,
			},
			{
				Name: "search",
				Doc:  "Returns the rows for which where is true (expr-lang over row and key), in key order. The output is { rows, count }.",
				Input: connector.Schema{tableArg,
					{Name: "where", Type: cty.String, Default: cty.StringVal("true"), Check: checkExpr,
						Doc: "An expr-lang expression over row and key that gives a bool; any other result fails the card. The default keeps every row."},
					{Name: "limit", Type: cty.Number, Default: cty.NumberIntVal(1000),
						Doc: "The most rows to return, at least 1: the first ones in key order."},
				},
				Output: cty.Object(map[string]cty.Type{"rows": cty.DynamicPseudoType, "count": cty.Number}),
				Effect: connector.Read,
				Do:     tableSearch,
			},
		},
	}
}

// tableClear lists the keys first and deletes them after the scan, so the
// store is not changed under its own iteration.
func tableClear(ctx context.Context, call *connector.Call) (cty.Value, error) {
	t, err := openTable(call)
	if err != nil {
		return cty.NilVal, err
	}
	var keys []string
	if err := t.Scan(ctx, func(key string, _ cty.Value) bool { keys = append(keys, key); return true }); err != nil {
		return cty.NilVal, err
	}
	deleted := 0
	for _, k := range keys {
		found, err := t.Delete(ctx, k)
		if err != nil {
			return cty.NilVal, err
		}
		if found {
			deleted++
		}
	}
	return cty.ObjectVal(map[string]cty.Value{"deleted": cty.NumberIntVal(int64(deleted))}), nil
}

func openTable(call *connector.Call) (connector.Table, error) {
	if call.Host == nil {
		return nil, connector.Errorf(connector.Other, "tables are not available here")
	}
	t, err := call.Host.Table(call.Input.String("table"))
	if err != nil {
		return nil, connector.Errorf(connector.Invalid, "%v", err)
	}
	return t, nil
}

func tablePut(ctx context.Context, call *connector.Call) (cty.Value, error) {
	t, err := openTable(call)
	if err != nil {
		return cty.NilVal, err
	}
	row, err := conformRow(call.Input.Get("row"), t.RowType())
	if err != nil {
		return cty.NilVal, connector.Errorf(connector.Invalid, "row: %v", err)
	}
	key := call.Input.String("key")
	if err := t.Put(ctx, key, row); err != nil {
		return cty.NilVal, err
	}
	return cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "row": row}), nil
}

// conformRow converts an object to the row type: absent columns are null,
// unknown columns are an error.
func conformRow(v cty.Value, rowType cty.Type) (cty.Value, error) {
	if v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return cty.NilVal, errorf("a row is an object of column values")
	}
	atys := rowType.AttributeTypes()
	vals := make(map[string]cty.Value, len(atys))
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		name := k.AsString()
		aty, ok := atys[name]
		if !ok {
			return cty.NilVal, errorf("the table has no column %q", name)
		}
		c, err := convert.Convert(e, aty)
		if err != nil {
			return cty.NilVal, errorf("column %q: %v", name, err)
		}
		vals[name] = c
	}
	for name, aty := range atys {
		if _, ok := vals[name]; !ok {
			vals[name] = cty.NullVal(aty)
		}
	}
	return cty.ObjectVal(vals), nil
}

func tableGet(ctx context.Context, call *connector.Call) (cty.Value, error) {
	t, err := openTable(call)
	if err != nil {
		return cty.NilVal, err
	}
	row, found, err := t.Get(ctx, call.Input.String("key"))
	if err != nil {
		return cty.NilVal, err
	}
	if !found {
		row = cty.NullVal(t.RowType())
	}
	return cty.ObjectVal(map[string]cty.Value{"found": cty.BoolVal(found), "row": row}), nil
}

func tableDelete(ctx context.Context, call *connector.Call) (cty.Value, error) {
	t, err := openTable(call)
	if err != nil {
		return cty.NilVal, err
	}
	found, err := t.Delete(ctx, call.Input.String("key"))
	if err != nil {
		return cty.NilVal, err
	}
	return cty.ObjectVal(map[string]cty.Value{"found": cty.BoolVal(found)}), nil
}

func tableSearch(ctx context.Context, call *connector.Call) (cty.Value, error) {
	t, err := openTable(call)
	if err != nil {
		return cty.NilVal, err
	}
	prog, err := compileExpr(call.Input.String("where"))
	if err != nil {
		return cty.NilVal, connector.Errorf(connector.Invalid, "%v", err)
	}
	limit := call.Input.Int("limit", 1000)
	if limit <= 0 {
		return cty.NilVal, connector.Errorf(connector.Invalid, "limit is %d; it must be at least 1", limit)
	}
	var rows []cty.Value
	var runErr error
	err = t.Scan(ctx, func(key string, row cty.Value) bool {
		out, err := expr.Run(prog, map[string]any{"row": exprValue(row), "key": key})
		if err != nil {
			runErr = connector.Errorf(connector.Invalid, "row %q: %v", key, err)
			return false
		}
		b, ok := out.(bool)
		if !ok {
			runErr = connector.Errorf(connector.Invalid, "where returned %T for row %q, not a bool", out, key)
			return false
		}
		if b {
			rows = append(rows, row)
		}
		return len(rows) < limit
	})
	if err == nil {
		err = runErr
	}
	if err != nil {
		return cty.NilVal, err
	}
	list := cty.ListValEmpty(t.RowType())
	if len(rows) > 0 {
		list = cty.ListVal(rows)
	}
	return cty.ObjectVal(map[string]cty.Value{"rows": list, "count": cty.NumberIntVal(int64(len(rows)))}), nil
}
