package connector

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func TestFromJSON(t *testing.T) {
	user := cty.Object(map[string]cty.Type{
		"id":      cty.String,
		"age":     cty.Number,
		"active":  cty.Bool,
		"groups":  cty.List(cty.String),
		"profile": cty.Object(map[string]cty.Type{"login": cty.String, "level": cty.Number}),
		"labels":  cty.Map(cty.String),
	})
	tests := []struct {
		name string
		json string
		ty   cty.Type
		want cty.Value
	}{
		{"string", `"x"`, cty.String, cty.StringVal("x")},
		{"number to string", `42`, cty.String, cty.StringVal("42")},
		{"big number to string keeps its text", `12345678901234567890123`, cty.String, cty.StringVal("12345678901234567890123")},
		{"bool to string", `true`, cty.String, cty.StringVal("true")},
		{"object to string is JSON", `{"a":1}`, cty.String, cty.StringVal(`{"a":1}`)},
		{"string to number", `"3.5"`, cty.Number, cty.MustParseNumberVal("3.5")},
		{"empty string to number is null", `""`, cty.Number, cty.NullVal(cty.Number)},
		{"string to bool", `"true"`, cty.Bool, cty.True},
		{"empty string to bool is null", `""`, cty.Bool, cty.NullVal(cty.Bool)},
		{"null", `null`, cty.String, cty.NullVal(cty.String)},
		{"null object", `null`, user, cty.NullVal(user)},
		{"json.Number precision", `0.1`, cty.Number, cty.MustParseNumberVal("0.1")},
		{"large integer precision", `9007199254740993`, cty.Number, cty.MustParseNumberVal("9007199254740993")},
		{
			"object: missing attributes null, extra dropped, scalars converted",
			`{"id": 7, "age": "31", "active": "false", "groups": ["a", 2], "profile": {"login": "a@b", "extra": true}, "unknown": 1}`,
			user,
			cty.ObjectVal(map[string]cty.Value{
				"id":      cty.StringVal("7"),
				"age":     cty.NumberIntVal(31),
				"active":  cty.False,
				"groups":  cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("2")}),
				"profile": cty.ObjectVal(map[string]cty.Value{"login": cty.StringVal("a@b"), "level": cty.NullVal(cty.Number)}),
				"labels":  cty.NullVal(cty.Map(cty.String)),
			}),
		},
		{"empty list", `[]`, cty.List(cty.String), cty.ListValEmpty(cty.String)},
		{"empty set", `[]`, cty.Set(cty.String), cty.SetValEmpty(cty.String)},
		{"set", `["b","a","b"]`, cty.Set(cty.String), cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")})},
		{"empty map", `{}`, cty.Map(cty.String), cty.MapValEmpty(cty.String)},
		{"map converts values", `{"a": 1, "b": true}`, cty.Map(cty.String), cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1"), "b": cty.StringVal("true")})},
		{"nested list of maps", `[{"a":"1"},{"b":"2"}]`, cty.List(cty.Map(cty.Number)), cty.ListVal([]cty.Value{
			cty.MapVal(map[string]cty.Value{"a": cty.NumberIntVal(1)}),
			cty.MapVal(map[string]cty.Value{"b": cty.NumberIntVal(2)}),
		})},
		{"tuple pads and drops", `["a"]`, cty.Tuple([]cty.Type{cty.String, cty.Number}), cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NullVal(cty.Number)})},
		{"dynamic object and array", `{"a":[1,"x"],"b":{},"c":[],"d":null}`, cty.DynamicPseudoType, cty.ObjectVal(map[string]cty.Value{
			"a": cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.StringVal("x")}),
			"b": cty.EmptyObjectVal,
			"c": cty.EmptyTupleVal,
			"d": cty.NullVal(cty.DynamicPseudoType),
		})},
		{"list of any with mixed scalars unifies", `["a", 1]`, cty.List(cty.DynamicPseudoType), cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("1")})},
		{"map of any with mixed scalars unifies", `{"a": "x", "b": true}`, cty.Map(cty.DynamicPseudoType), cty.MapVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": cty.StringVal("true")})},
		// A JSON null in a collection of any takes the type the other
		// elements unify to, as in cty's convert.
		{"list of any with a null", `[1, "2", true, null]`, cty.List(cty.DynamicPseudoType), cty.ListVal([]cty.Value{
			cty.StringVal("1"), cty.StringVal("2"), cty.StringVal("true"), cty.NullVal(cty.String),
		})},
		{"set of any with a null", `[1, "2", true, null]`, cty.Set(cty.DynamicPseudoType), cty.SetVal([]cty.Value{
			cty.StringVal("1"), cty.StringVal("2"), cty.StringVal("true"), cty.NullVal(cty.String),
		})},
		{"map of any with a null", `{"a": 1, "b": null, "c": "x"}`, cty.Map(cty.DynamicPseudoType), cty.MapVal(map[string]cty.Value{
			"a": cty.StringVal("1"), "b": cty.NullVal(cty.String), "c": cty.StringVal("x"),
		})},
		{"list of objects with an attribute of any missing", `[{"a":1},{"b":1}]`, cty.List(cty.Object(map[string]cty.Type{"a": cty.DynamicPseudoType})), cty.ListVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(1)}),
			cty.ObjectVal(map[string]cty.Value{"a": cty.NullVal(cty.Number)}),
		})},
		{"list of any with an object and a null", `[{"a": 1}, null]`, cty.List(cty.DynamicPseudoType), cty.ListVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(1)}),
			cty.NullVal(cty.Object(map[string]cty.Type{"a": cty.Number})),
		})},
		{"map of any with an object and a null", `{"x": {"a": 1}, "y": null}`, cty.Map(cty.DynamicPseudoType), cty.MapVal(map[string]cty.Value{
			"x": cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(1)}),
			"y": cty.NullVal(cty.Object(map[string]cty.Type{"a": cty.Number})),
		})},
		{"list of any with nulls in its arrays", `[[1, null], [null, "x"]]`, cty.List(cty.DynamicPseudoType), cty.ListVal([]cty.Value{
			cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.NullVal(cty.String)}),
			cty.TupleVal([]cty.Value{cty.NullVal(cty.Number), cty.StringVal("x")}),
		})},
		{"list of any of nulls only", `[null, null]`, cty.List(cty.DynamicPseudoType), cty.ListVal([]cty.Value{
			cty.NullVal(cty.DynamicPseudoType), cty.NullVal(cty.DynamicPseudoType),
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromJSON([]byte(tt.json), tt.ty)
			if err != nil {
				t.Fatalf("FromJSON: %v", err)
			}
			if !got.RawEquals(tt.want) {
				t.Errorf("FromJSON(%s)\n got %#v\nwant %#v", tt.json, got, tt.want)
			}
		})
	}
}

func TestFromJSONErrors(t *testing.T) {
	tests := []struct {
		name, json string
		ty         cty.Type
		want       string // in the error
	}{
		{"not JSON", `{`, cty.String, "EOF"},
		{"trailing data", `{} {}`, cty.DynamicPseudoType, "after the JSON value"},
		{"trailing garbage", `"a" x`, cty.String, "after the JSON value"},
		{"text to number", `"abc"`, cty.Number, `"abc" is not a number`},
		{"infinity text to number", `"Inf"`, cty.Number, `"Inf" is not a number`},
		{"padded text to number", `" 42"`, cty.Number, `is not a number`},
		{"text to bool", `"yes please"`, cty.Bool, "is not a bool"},
		{"number to bool", `1`, cty.Bool, "cannot convert"},
		{"object to list", `{}`, cty.List(cty.String), "cannot convert"},
		{"array to object", `[]`, cty.Object(map[string]cty.Type{"a": cty.String}), "cannot convert"},
		{"error names the path", `{"a":[1,"x"]}`, cty.Object(map[string]cty.Type{"a": cty.List(cty.Number)}), `"x" is not a number`},
		{"list of any without a common type", `[[1], {"a": 1}]`, cty.List(cty.DynamicPseudoType), "no common type"},
		{"list of any with an object beside a null", `[{"a": {"x": 1}}, {"a": null}]`, cty.List(cty.DynamicPseudoType), "no common type"},
		{"list of objects with an object beside a null", `[{"a": {"x": 1}}, {"b": 1}]`, cty.List(cty.Object(map[string]cty.Type{"a": cty.DynamicPseudoType})), "no common type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromJSON([]byte(tt.json), tt.ty)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("FromJSON(%s) error = %v, want one containing %q", tt.json, err, tt.want)
			}
		})
	}
}

func TestFromGo(t *testing.T) {
	ty := cty.Object(map[string]cty.Type{"n": cty.Number, "s": cty.String, "l": cty.List(cty.String), "m": cty.Map(cty.String)})
	got, err := FromGo(map[string]any{
		"n": int64(5), "s": 2.5, "l": []string{"a"}, "m": map[string]string{"k": "v"},
	}, ty)
	if err != nil {
		t.Fatal(err)
	}
	want := cty.ObjectVal(map[string]cty.Value{
		"n": cty.NumberIntVal(5), "s": cty.StringVal("2.5"),
		"l": cty.ListVal([]cty.Value{cty.StringVal("a")}),
		"m": cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v")}),
	})
	if !got.RawEquals(want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	for _, in := range []any{1, int64(1), 1.0, json.Number("1")} {
		v, err := FromGo(in, cty.Number)
		if err != nil || !v.RawEquals(cty.NumberIntVal(1)) {
			t.Errorf("FromGo(%T 1, number) = %#v, %v", in, v, err)
		}
	}
	if _, err := FromGo(struct{}{}, cty.DynamicPseudoType); err == nil {
		t.Error("FromGo of a struct: no error")
	}
}

// TestFromGoNullsInCollectionsOfAny: a nil in a collection of any takes
// the type the other elements unify to, as in FromJSON.
func TestFromGoNullsInCollectionsOfAny(t *testing.T) {
	objA := cty.Object(map[string]cty.Type{"a": cty.DynamicPseudoType})
	tests := []struct {
		name string
		in   any
		ty   cty.Type
		want cty.Value
	}{
		{"list", []any{1, "2", true, nil}, cty.List(cty.DynamicPseudoType), cty.ListVal([]cty.Value{
			cty.StringVal("1"), cty.StringVal("2"), cty.StringVal("true"), cty.NullVal(cty.String),
		})},
		{"set", []any{int64(1), nil}, cty.Set(cty.DynamicPseudoType), cty.SetVal([]cty.Value{
			cty.NumberIntVal(1), cty.NullVal(cty.Number),
		})},
		{"map", map[string]any{"a": map[string]string{"k": "v"}, "b": nil}, cty.Map(cty.DynamicPseudoType), cty.MapVal(map[string]cty.Value{
			"a": cty.ObjectVal(map[string]cty.Value{"k": cty.StringVal("v")}),
			"b": cty.NullVal(cty.Object(map[string]cty.Type{"k": cty.String})),
		})},
		{"objects", []any{map[string]any{"a": 1.5}, map[string]string{"b": "x"}}, cty.List(objA), cty.ListVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"a": cty.NumberFloatVal(1.5)}),
			cty.ObjectVal(map[string]cty.Value{"a": cty.NullVal(cty.Number)}),
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromGo(tt.in, tt.ty)
			if err != nil {
				t.Fatalf("FromGo: %v", err)
			}
			if !got.RawEquals(tt.want) {
				t.Errorf("FromGo(%#v)\n got %#v\nwant %#v", tt.in, got, tt.want)
			}
		})
	}
	_, err := FromGo([]any{map[string]any{"a": []any{1}}, map[string]any{"a": nil}}, cty.List(objA))
	if err == nil || !strings.Contains(err.Error(), "no common type") {
		t.Errorf("FromGo of an array beside a null: error %v, want one saying no common type", err)
	}
}

func TestToGo(t *testing.T) {
	tests := []struct {
		name string
		in   cty.Value
		want any
	}{
		{"null", cty.NullVal(cty.String), nil},
		{"nil", cty.NilVal, nil},
		{"string", cty.StringVal("x"), "x"},
		{"integer", cty.NumberIntVal(42), json.Number("42")},
		{"fraction keeps precision", cty.MustParseNumberVal("0.1"), json.Number("0.1")},
		{"big integer", cty.MustParseNumberVal("123456789012345678901234567890"), json.Number("123456789012345678901234567890")},
		{"bool", cty.True, true},
		{"marked", cty.StringVal("secret").Mark("sensitive"), "secret"},
		{"list with marked element", cty.ListVal([]cty.Value{cty.StringVal("a").Mark("sensitive"), cty.StringVal("b")}), []any{"a", "b"}},
		{"set", cty.SetVal([]cty.Value{cty.NumberIntVal(1)}), []any{json.Number("1")}},
		{"tuple", cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.True}), []any{"a", true}},
		{"object", cty.ObjectVal(map[string]cty.Value{"a": cty.NullVal(cty.String), "b": cty.MapVal(map[string]cty.Value{"c": cty.StringVal("d")})}),
			map[string]any{"a": nil, "b": map[string]any{"c": "d"}}},
		{"empty list", cty.ListValEmpty(cty.String), []any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToGo(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ToGo (-want +got):\n%s", diff)
			}
		})
	}
	for name, v := range map[string]cty.Value{
		"unknown":           cty.UnknownVal(cty.String),
		"unknown in list":   cty.ListVal([]cty.Value{cty.UnknownVal(cty.String)}),
		"infinity":          cty.PositiveInfinity,
		"unknown attribute": cty.ObjectVal(map[string]cty.Value{"x": cty.UnknownVal(cty.Bool)}),
	} {
		t.Run("error/"+name, func(t *testing.T) {
			if _, err := ToGo(v); err == nil {
				t.Errorf("ToGo(%#v): no error", v)
			}
		})
	}
}

// TestRoundTrip checks that JSON decoded into a dynamic value encodes back
// to the same JSON, numbers included.
func TestRoundTrip(t *testing.T) {
	for _, in := range []string{
		`{"a":[1,"x",true,null],"b":{"c":0.30000000000000004},"d":9007199254740993}`,
		`[]`, `{}`, `"s"`, `-1.5e-7`,
	} {
		v, err := FromJSON([]byte(in), cty.DynamicPseudoType)
		if err != nil {
			t.Fatalf("FromJSON(%s): %v", in, err)
		}
		g, err := ToGo(v)
		if err != nil {
			t.Fatalf("ToGo: %v", err)
		}
		out, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		_ = json.Unmarshal([]byte(in), &a)
		_ = json.Unmarshal(out, &b)
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("round trip of %s gave %s (-in +out):\n%s", in, out, diff)
		}
	}
}

func TestGetters(t *testing.T) {
	obj := cty.ObjectVal(map[string]cty.Value{
		"s":      cty.StringVal("text"),
		"secret": cty.StringVal("hunter2").Mark("sensitive"),
		"b":      cty.True,
		"n":      cty.NumberIntVal(7),
		"f":      cty.MustParseNumberVal("7.9"),
		"null":   cty.NullVal(cty.String),
		"unk":    cty.UnknownVal(cty.String),
		"list":   cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
		"set":    cty.SetVal([]cty.Value{cty.StringVal("x")}),
		"mlist":  cty.ListVal([]cty.Value{cty.StringVal("a").Mark("sensitive")}),
		"map":    cty.MapVal(map[string]cty.Value{"k": cty.StringVal("v"), "z": cty.NullVal(cty.String)}),
		"obj":    cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(1), "b": cty.False, "l": cty.ListVal([]cty.Value{cty.StringVal("q")})}),
		"mmap":   cty.MapVal(map[string]cty.Value{"token": cty.StringVal("t").Mark("sensitive")}).Mark("sensitive"),
	})
	marked := obj.Mark("sensitive")
	for name, o := range map[string]cty.Value{"plain": obj, "marked object": marked} {
		t.Run(name, func(t *testing.T) {
			got := map[string]any{
				"String(s)":        String(o, "s"),
				"String(secret)":   String(o, "secret"),
				"String(n)":        String(o, "n"), // not a string: ""
				"String(null)":     String(o, "null"),
				"String(unk)":      String(o, "unk"),
				"String(absent)":   String(o, "absent"),
				"Bool(b)":          Bool(o, "b", false),
				"Bool(absent)":     Bool(o, "absent", true),
				"Bool(s)":          Bool(o, "s", true),
				"Int(n)":           Int(o, "n", 0),
				"Int(f)":           Int(o, "f", 0),
				"Int(absent)":      Int(o, "absent", -1),
				"Strings(list)":    Strings(o, "list"),
				"Strings(set)":     Strings(o, "set"),
				"Strings(mlist)":   Strings(o, "mlist"),
				"Strings(absent)":  Strings(o, "absent"),
				"StringMap(map)":   StringMap(o, "map"),
				"StringMap(obj)":   StringMap(o, "obj"),
				"StringMap(mmap)":  StringMap(o, "mmap"),
				"StringMap(s)":     StringMap(o, "s"),
				"String(map['k'])": String(Attr(o, "map"), "k"),
			}
			want := map[string]any{
				"String(s)":        "text",
				"String(secret)":   "hunter2",
				"String(n)":        "",
				"String(null)":     "",
				"String(unk)":      "",
				"String(absent)":   "",
				"Bool(b)":          true,
				"Bool(absent)":     true,
				"Bool(s)":          true,
				"Int(n)":           7,
				"Int(f)":           7,
				"Int(absent)":      -1,
				"Strings(list)":    []string{"a", "b"},
				"Strings(set)":     []string{"x"},
				"Strings(mlist)":   []string{"a"},
				"Strings(absent)":  []string(nil),
				"StringMap(map)":   map[string]string{"k": "v", "z": ""},
				"StringMap(obj)":   map[string]string{"n": "1", "b": "false", "l": `["q"]`},
				"StringMap(mmap)":  map[string]string{"token": "t"},
				"StringMap(s)":     map[string]string(nil),
				"String(map['k'])": "v",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("getters (-want +got):\n%s", diff)
			}
		})
	}
	if got := String(cty.NilVal, "x"); got != "" {
		t.Errorf("String(NilVal) = %q", got)
	}
	if got := String(cty.NullVal(cty.DynamicPseudoType), "x"); got != "" {
		t.Errorf("String(null) = %q", got)
	}
}

func TestAttrKeepsMarks(t *testing.T) {
	obj := cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x")}).Mark("sensitive")
	if v := Attr(obj, "a"); !v.HasMark("sensitive") {
		t.Errorf("Attr of a marked object lost the mark: %#v", v)
	}
	if v := Attr(obj, "missing"); !v.IsNull() {
		t.Errorf("Attr of a missing attribute = %#v, want null", v)
	}
}

func TestSortedKeys(t *testing.T) {
	got := SortedKeys(map[string]int{"b": 1, "a": 2, "c": 3})
	if diff := cmp.Diff([]string{"a", "b", "c"}, got); diff != "" {
		t.Error(diff)
	}
}
