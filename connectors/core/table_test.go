package core

import (
	"errors"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/zclconf/go-cty/cty"
)

var approvalRow = cty.Object(map[string]cty.Type{"incident": cty.String, "state": cty.String, "tries": cty.Number})

func row(incident, state string, tries int64) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"incident": cty.StringVal(incident), "state": cty.StringVal(state), "tries": cty.NumberIntVal(tries)})
}

func newHost() (*fakeHost, *fakeTable) {
	tbl := newTable(approvalRow)
	return &fakeHost{tables: map[string]*fakeTable{"approvals": tbl}}, tbl
}

func TestTablePutGetDelete(t *testing.T) {
	h, tbl := newHost()
	tname := cty.StringVal("approvals")

	// put: a partial row gets null columns; a number given as text converts.
	out, err := call(t, Table(), "put", map[string]cty.Value{"table": tname, "key": cty.StringVal("00u1"),
		"row": cty.ObjectVal(map[string]cty.Value{"incident": cty.StringVal("INC001"), "tries": cty.StringVal("2")})}, h)
	if err != nil {
		t.Fatal(err)
	}
	stored := cty.ObjectVal(map[string]cty.Value{"incident": cty.StringVal("INC001"), "state": cty.NullVal(cty.String), "tries": cty.NumberIntVal(2)})
	wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("00u1"), "row": stored}))
	wantValue(t, tbl.rows["00u1"], stored)

	// put over a map replaces the row.
	if _, err := call(t, Table(), "put", map[string]cty.Value{"table": tname, "key": cty.StringVal("00u1"),
		"row": cty.MapVal(map[string]cty.Value{"incident": cty.StringVal("INC001"), "state": cty.StringVal("done")})}, h); err != nil {
		t.Fatal(err)
	}

	out, err = call(t, Table(), "get", map[string]cty.Value{"table": tname, "key": cty.StringVal("00u1")}, h)
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"found": cty.True, "row": cty.ObjectVal(map[string]cty.Value{
		"incident": cty.StringVal("INC001"), "state": cty.StringVal("done"), "tries": cty.NullVal(cty.Number)})}))

	out, err = call(t, Table(), "get", map[string]cty.Value{"table": tname, "key": cty.StringVal("nobody")}, h)
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"found": cty.False, "row": cty.NullVal(approvalRow)}))

	for _, want := range []bool{true, false} {
		out, err = call(t, Table(), "delete", map[string]cty.Value{"table": tname, "key": cty.StringVal("00u1")}, h)
		if err != nil {
			t.Fatal(err)
		}
		wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"found": cty.BoolVal(want)}))
	}
}

func TestTablePutInvalid(t *testing.T) {
	tests := []struct {
		name string
		row  cty.Value
		msg  string
	}{
		{"unknown column", cty.ObjectVal(map[string]cty.Value{"incidnet": cty.StringVal("x")}), `no column "incidnet"`},
		{"wrong type", cty.ObjectVal(map[string]cty.Value{"tries": cty.StringVal("many")}), `column "tries"`},
		{"null", cty.NullVal(cty.DynamicPseudoType), "object of column values"},
		{"a list is not a row", cty.ListVal([]cty.Value{cty.StringVal("x")}), "object of column values"},
		{"a string is not a row", cty.StringVal("x"), "object of column values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, tbl := newHost()
			_, err := call(t, Table(), "put", map[string]cty.Value{"table": cty.StringVal("approvals"), "key": cty.StringVal("k"), "row": tt.row}, h)
			wantKind(t, err, connector.Invalid, tt.msg)
			if len(tbl.rows) != 0 {
				t.Errorf("rows stored: %v", tbl.rows)
			}
		})
	}
}

func TestTableErrors(t *testing.T) {
	for _, action := range []string{"put", "get", "delete", "search"} {
		args := map[string]cty.Value{"table": cty.StringVal("nope")}
		if action != "search" {
			args["key"] = cty.StringVal("k")
		}
		if action == "put" {
			args["row"] = cty.EmptyObjectVal
		}
		t.Run(action+"/unknown table", func(t *testing.T) {
			h, _ := newHost()
			_, err := call(t, Table(), action, args, h)
			wantKind(t, err, connector.Invalid, `no table "nope"`)
		})
		t.Run(action+"/no host", func(t *testing.T) {
			_, err := call(t, Table(), action, args, nil)
			wantKind(t, err, connector.Other, "not available")
		})
		t.Run(action+"/store error passes through", func(t *testing.T) {
			h, tbl := newHost()
			boom := connector.Errorf(connector.Transient, "database is locked")
			tbl.err = boom
			args := map[string]cty.Value{"table": cty.StringVal("approvals")}
			if action != "search" {
				args["key"] = cty.StringVal("k")
			}
			if action == "put" {
				args["row"] = cty.EmptyObjectVal
			}
			_, err := call(t, Table(), action, args, h)
			if !errors.Is(err, boom) {
				t.Errorf("error %v, want the store's", err)
			}
		})
	}
}

func TestTableSearch(t *testing.T) {
	h, tbl := newHost()
	tbl.rows = map[string]cty.Value{
		"c": row("INC3", "open", 1),
		"a": row("INC1", "open", 3),
		"b": row("INC2", "done", 2),
	}
	tests := []struct {
		name  string
		where string
		limit int64
		want  []cty.Value
	}{
		{"default is every row in key order", "", 0, []cty.Value{tbl.rows["a"], tbl.rows["b"], tbl.rows["c"]}},
		{"by column", "row.state == 'open'", 0, []cty.Value{tbl.rows["a"], tbl.rows["c"]}},
		{"by key", "key > 'a'", 0, []cty.Value{tbl.rows["b"], tbl.rows["c"]}},
		{"by number", "row.tries >= 2", 0, []cty.Value{tbl.rows["a"], tbl.rows["b"]}},
		{"limit", "true", 2, []cty.Value{tbl.rows["a"], tbl.rows["b"]}},
		{"limit one", "row.state == 'open'", 1, []cty.Value{tbl.rows["a"]}},
		{"none", "false", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := map[string]cty.Value{"table": cty.StringVal("approvals")}
			if tt.where != "" {
				args["where"] = cty.StringVal(tt.where)
			}
			if tt.limit != 0 {
				args["limit"] = cty.NumberIntVal(tt.limit)
			}
			out, err := call(t, Table(), "search", args, h)
			if err != nil {
				t.Fatal(err)
			}
			rows := cty.ListValEmpty(approvalRow)
			if len(tt.want) > 0 {
				rows = cty.ListVal(tt.want)
			}
			wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"rows": rows, "count": cty.NumberIntVal(int64(len(tt.want)))}))
		})
	}
	errs := []struct {
		name, where string
		limit       int64
		msg         string
	}{
		{"syntax", "row.state ==", 0, ""},
		{"not a bool", "row.state", 0, "not a bool"},
		{"zero limit", "true", -1, "at least 1"},
		{"runtime error", "row.tries / row.state > 0", 0, `row "a"`},
	}
	for _, tt := range errs {
		t.Run("invalid/"+tt.name, func(t *testing.T) {
			args := map[string]cty.Value{"table": cty.StringVal("approvals"), "where": cty.StringVal(tt.where)}
			if tt.limit != 0 {
				args["limit"] = cty.NumberIntVal(tt.limit)
			}
			_, err := call(t, Table(), "search", args, h)
			wantKind(t, err, connector.Invalid, tt.msg)
		})
	}
}

func TestTableClear(t *testing.T) {
	h, tbl := newHost()
	tname := cty.StringVal("approvals")
	for _, k := range []string{"00u1", "00u2", "00u3"} {
		if _, err := call(t, Table(), "put", map[string]cty.Value{"table": tname, "key": cty.StringVal(k), "row": row("INC"+k, "new", 0)}, h); err != nil {
			t.Fatal(err)
		}
	}
	out, err := call(t, Table(), "clear", map[string]cty.Value{"table": tname}, h)
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"deleted": cty.NumberIntVal(3)}))
	if len(tbl.rows) != 0 {
		t.Errorf("rows left after clear: %v", tbl.rows)
	}
	out, err = call(t, Table(), "clear", map[string]cty.Value{"table": tname}, h)
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"deleted": cty.NumberIntVal(0)}))
}
