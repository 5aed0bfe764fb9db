package core

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func TestTextCompose(t *testing.T) {
	out, err := call(t, Text(), "compose", map[string]cty.Value{"text": cty.StringVal("Hello Ada")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"text": cty.StringVal("Hello Ada")}))
	// A number given where the schema declares a string arrives converted.
	out, err = call(t, Text(), "compose", map[string]cty.Value{"text": cty.NumberIntVal(5)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"text": cty.StringVal("5")}))
}

func TestJSONParse(t *testing.T) {
	tests := []struct {
		name, text string
		want       cty.Value
	}{
		{"object", `{"id":"00u1","n":12345678901234567890,"tags":["a","b"],"x":null}`, cty.ObjectVal(map[string]cty.Value{
			"id": cty.StringVal("00u1"), "n": cty.MustParseNumberVal("12345678901234567890"),
			"tags": cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), "x": cty.NullVal(cty.DynamicPseudoType),
		})},
		{"scalar", `true`, cty.True},
		{"surrounding space", " [1] \n", cty.TupleVal([]cty.Value{cty.NumberIntVal(1)})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := call(t, JSON(), "parse", map[string]cty.Value{"text": cty.StringVal(tt.text)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"value": tt.want}))
		})
	}
	for name, text := range map[string]string{"empty": "", "truncated": `{"a":`, "trailing data": `{"a":1} {"b":2}`, "not JSON": "hello"} {
		t.Run("invalid/"+name, func(t *testing.T) {
			_, err := call(t, JSON(), "parse", map[string]cty.Value{"text": cty.StringVal(text)}, nil)
			wantKind(t, err, connector.Invalid, "not JSON")
		})
	}
}

func TestJSONBuild(t *testing.T) {
	tests := []struct {
		name string
		in   cty.Value
		want string
	}{
		{"object sorted keys", cty.ObjectVal(map[string]cty.Value{"b": cty.NumberIntVal(1), "a": cty.ListVal([]cty.Value{cty.StringVal("x")})}), `{"a":["x"],"b":1}`},
		{"precise number", cty.MustParseNumberVal("0.1"), `0.1`},
		{"null attribute", cty.ObjectVal(map[string]cty.Value{"a": cty.NullVal(cty.String)}), `{"a":null}`},
		{"sensitive value is still encoded", cty.StringVal("s").Mark("sensitive"), `"s"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := call(t, JSON(), "build", map[string]cty.Value{"value": tt.in}, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"text": cty.StringVal(tt.want)}))
		})
	}
	_, err := call(t, JSON(), "build", map[string]cty.Value{"value": cty.UnknownVal(cty.String)}, nil)
	wantKind(t, err, connector.Invalid, "not known")
}

var users = cty.TupleVal([]cty.Value{
	cty.ObjectVal(map[string]cty.Value{"login": cty.StringVal("ada@x"), "status": cty.StringVal("ACTIVE"), "age": cty.NumberIntVal(36)}),
	cty.ObjectVal(map[string]cty.Value{"login": cty.StringVal("bob@x"), "status": cty.StringVal("STAGED"), "age": cty.NumberIntVal(20)}),
	cty.ObjectVal(map[string]cty.Value{"login": cty.StringVal("cy@x"), "status": cty.StringVal("ACTIVE"), "age": cty.MustParseNumberVal("40.5")}),
})

func TestListFilter(t *testing.T) {
	tests := []struct {
		name  string
		items cty.Value
		where string
		want  cty.Value
	}{
		{"by attribute", users, "item.status == 'ACTIVE'", cty.TupleVal([]cty.Value{users.Index(cty.NumberIntVal(0)), users.Index(cty.NumberIntVal(2))})},
		{"by index", users, "index > 0", cty.TupleVal([]cty.Value{users.Index(cty.NumberIntVal(1)), users.Index(cty.NumberIntVal(2))})},
		{"integer and fraction arithmetic", users, "item.age > 30 && item.age < 40", cty.TupleVal([]cty.Value{users.Index(cty.NumberIntVal(0))})},
		{"none", users, "false", cty.EmptyTupleVal},
		{"list of strings", cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("bb")}), "len(item) == 2", cty.TupleVal([]cty.Value{cty.StringVal("bb")})},
		{"null items", cty.NullVal(cty.List(cty.String)), "true", cty.EmptyTupleVal},
		{"marked items", cty.ListVal([]cty.Value{cty.StringVal("a").Mark("sensitive")}), "item == 'a'", cty.TupleVal([]cty.Value{cty.StringVal("a").Mark("sensitive")})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := call(t, List(), "filter", map[string]cty.Value{"items": tt.items, "where": cty.StringVal(tt.where)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"items": tt.want, "count": cty.NumberIntVal(int64(tt.want.LengthInt()))}))
		})
	}
	errs := []struct {
		name  string
		items cty.Value
		where string
		msg   string
	}{
		{"syntax", users, "item.status ==", "unexpected"},
		{"not a bool", users, "item.login", "not a bool"},
		{"runtime error", users, "item.login / 2", "item 0"},
		{"not a list", cty.StringVal("abc"), "true", "not a list"},
		{"an object is not a list", cty.ObjectVal(map[string]cty.Value{"a": cty.True}), "true", "not a list"},
	}
	for _, tt := range errs {
		t.Run("invalid/"+tt.name, func(t *testing.T) {
			_, err := call(t, List(), "filter", map[string]cty.Value{"items": tt.items, "where": cty.StringVal(tt.where)}, nil)
			wantKind(t, err, connector.Invalid, tt.msg)
		})
	}
}

func TestListMap(t *testing.T) {
	tests := []struct {
		name, expr string
		want       cty.Value
	}{
		{"attribute", "item.login", cty.TupleVal([]cty.Value{cty.StringVal("ada@x"), cty.StringVal("bob@x"), cty.StringVal("cy@x")})},
		{"index and numbers", "index * 10 + 1", cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(11), cty.NumberIntVal(21)})},
		{"objects", "{'l': item.login, 'old': item.age > 30}", cty.TupleVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"l": cty.StringVal("ada@x"), "old": cty.True}),
			cty.ObjectVal(map[string]cty.Value{"l": cty.StringVal("bob@x"), "old": cty.False}),
			cty.ObjectVal(map[string]cty.Value{"l": cty.StringVal("cy@x"), "old": cty.True}),
		})},
		{"fraction survives", "item.age", cty.TupleVal([]cty.Value{cty.NumberIntVal(36), cty.NumberIntVal(20), cty.MustParseNumberVal("40.5")})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := call(t, List(), "map", map[string]cty.Value{"items": users, "expr": cty.StringVal(tt.expr)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"items": tt.want}))
		})
	}
	_, err := call(t, List(), "map", map[string]cty.Value{"items": users, "expr": cty.StringVal("item.(")}, nil)
	wantKind(t, err, connector.Invalid, "")
}

func TestListCheck(t *testing.T) {
	a, _ := List().Action("filter")
	at, _ := a.Input.Lookup("where")
	if err := at.Check(cty.StringVal("item.x == 1")); err != nil {
		t.Errorf("Check of a valid predicate: %v", err)
	}
	if err := at.Check(cty.StringVal("item.x ==")); err == nil {
		t.Error("Check of a broken predicate: no error")
	}
}

func TestFlowCall(t *testing.T) {
	result := cty.ObjectVal(map[string]cty.Value{"ok": cty.True})
	tests := []struct {
		name  string
		async bool
		want  cty.Value
	}{
		{"sync", false, result},
		{"async", true, cty.NullVal(cty.DynamicPseudoType)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &fakeHost{result: result}
			in := cty.ObjectVal(map[string]cty.Value{"user": cty.StringVal("00u1")})
			out, err := call(t, Flow(), "call", map[string]cty.Value{"flow": cty.StringVal("helper"), "input": in, "async": cty.BoolVal(tt.async)}, h)
			if err != nil {
				t.Fatal(err)
			}
			wantValue(t, out, cty.ObjectVal(map[string]cty.Value{"result": tt.want}))
			if len(h.calls) != 1 || h.calls[0].Flow != "helper" || h.calls[0].Async != tt.async || !h.calls[0].Input.RawEquals(in) {
				t.Errorf("calls = %#v", h.calls)
			}
		})
	}
	t.Run("helper fails", func(t *testing.T) {
		boom := connector.Errorf(connector.Transient, "helper timed out")
		_, err := call(t, Flow(), "call", map[string]cty.Value{"flow": cty.StringVal("helper")}, &fakeHost{err: boom})
		if !errors.Is(err, boom) {
			t.Errorf("error %v, want the helper's", err)
		}
	})
	t.Run("no host", func(t *testing.T) {
		_, err := call(t, Flow(), "call", map[string]cty.Value{"flow": cty.StringVal("helper")}, nil)
		wantKind(t, err, connector.Other, "not available")
	})
}

func TestFlowReturn(t *testing.T) {
	tests := []struct {
		name string
		args map[string]cty.Value
		want *connector.Stop
	}{
		{"defaults", map[string]cty.Value{}, &connector.Stop{Status: "succeeded"}},
		{"result", map[string]cty.Value{"result": cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(2), "l": cty.ListVal([]cty.Value{cty.StringVal("a")})})},
			&connector.Stop{Status: "succeeded", Result: map[string]any{"n": json.Number("2"), "l": []any{"a"}}}},
		{"halted with reason", map[string]cty.Value{"status": cty.StringVal("halted"), "reason": cty.StringVal("not ours")}, &connector.Stop{Status: "halted", Reason: "not ours"}},
		{"null status is succeeded", map[string]cty.Value{"status": cty.NullVal(cty.String)}, &connector.Stop{Status: "succeeded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := call(t, Flow(), "return", tt.args, nil)
			var stop *connector.Stop
			if !errors.As(err, &stop) {
				t.Fatalf("error %v, want a *connector.Stop", err)
			}
			if diff := cmp.Diff(tt.want, stop); diff != "" {
				t.Errorf("Stop (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("computed bad status", func(t *testing.T) {
		_, err := call(t, Flow(), "return", map[string]cty.Value{"status": cty.StringVal("failed")}, nil)
		wantKind(t, err, connector.Invalid, `not "failed"`)
	})
	t.Run("static check", func(t *testing.T) {
		a, _ := Flow().Action("return")
		at, _ := a.Input.Lookup("status")
		for s, ok := range map[string]bool{"succeeded": true, "halted": true, "failed": false, "": false} {
			if err := at.Check(cty.StringVal(s)); (err == nil) != ok {
				t.Errorf("Check(%q) = %v", s, err)
			}
		}
	})
}

func TestFlowFail(t *testing.T) {
	_, err := call(t, Flow(), "fail", map[string]cty.Value{"message": cty.StringVal("days_inactive must be positive")}, nil)
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.Other || !strings.Contains(err.Error(), "days_inactive must be positive") {
		t.Fatalf("flow.fail: %v, want a permanent error carrying the message", err)
	}
	if ce.Kind.Retryable() {
		t.Error("flow.fail must not be retried")
	}
}
