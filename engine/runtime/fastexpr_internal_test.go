package runtime

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/cardflow/cardflow/engine/lang"
)

// fastScope is a scope shaped as a card's: the trigger and var at the
// root, card and each in a child, with every kind of value a traversal
// meets — nulls, unknowns, marks, maps, lists, tuples, numbers.
func fastScope() *hcl.EvalContext {
	target := func(id, name string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{
			"id": cty.StringVal(id), "displayName": cty.StringVal(name), "alternateId": cty.StringVal(id + "@example.com"),
		})
	}
	root := &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"trigger": cty.ObjectVal(map[string]cty.Value{
				"event": cty.ObjectVal(map[string]cty.Value{
					"uuid":   cty.StringVal("6d9a3c1e-2f4b-4f7a-9a3e-1c2b3d4e5f60"),
					"target": cty.ListVal([]cty.Value{target("00u1", "Jane Doe"), target("00u2", "Ünïcödé")}),
				}),
				"m":      cty.MapVal(map[string]cty.Value{"a": cty.StringVal("A"), "b.c": cty.StringVal("BC")}),
				"nul":    cty.NullVal(cty.Object(map[string]cty.Type{"x": cty.String})),
				"nuls":   cty.NullVal(cty.String),
				"unk":    cty.UnknownVal(cty.Object(map[string]cty.Type{"x": cty.String})),
				"unks":   cty.UnknownVal(cty.String),
				"secret": cty.StringVal("hunter2").Mark(lang.Sensitive),
				"sobj":   cty.ObjectVal(map[string]cty.Value{"x": cty.StringVal("X")}).Mark(lang.Sensitive),
				"deep":   cty.ObjectVal(map[string]cty.Value{"x": cty.StringVal("X").Mark(lang.Sensitive)}),
				"num":    cty.NumberIntVal(42),
				"frac":   cty.NumberFloatVal(1.5),
				"yes":    cty.True,
				"tup":    cty.TupleVal([]cty.Value{cty.StringVal("t0"), cty.NumberIntVal(1)}),
				"dyn":    cty.DynamicVal,
				"strs":   cty.ListVal([]cty.Value{cty.StringVal("s0"), cty.StringVal("s1")}),
				"empty":  cty.ListValEmpty(cty.String),
				"set":    cty.SetVal([]cty.Value{cty.StringVal("e")}),
			}),
			"var": cty.ObjectVal(map[string]cty.Value{"groups": cty.ListVal([]cty.Value{cty.StringVal("Employees")})}),
		},
		Functions: map[string]function.Function{"upper": stdlib.UpperFunc, "join": stdlib.JoinFunc, "coalesce": stdlib.CoalesceFunc},
	}
	child := root.NewChild()
	child.Variables = map[string]cty.Value{
		"card": cty.ObjectVal(map[string]cty.Value{
			"read_user": cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("00u1"), "login": cty.StringVal("jane@example.com")}),
		}),
		"each":    cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal("k"), "value": cty.NumberIntVal(7)}),
		"trigger": cty.StringVal("shadowed in the child"),
	}
	return child
}

// fastCases are expressions of every shape compileNode knows and of
// shapes around them; fast says whether the fast path must give their
// value itself in fastScope (the cards' common shapes must not fall back).
var fastCases = []struct {
	src  string
	fast bool
}{
	{`card.read_user.id`, true},
	{`card.read_user["login"]`, true},
	{`each.key`, true},
	{`each.value`, true},
	{`var.groups[0]`, true},
	{`trigger`, true},
	{`"${card.read_user.id}"`, true},
	{`"Approve access for ${card.read_user.login}"`, true},
	{`"a ${card.read_user.id} b ${card.read_user.login} c"`, true},
	{`{ short_description = "New: ${card.read_user.login}", correlation_id = card.read_user.id, impact = "3" }`, true},
	{`{ "quoted key" = card.read_user.id, plain = "x" }`, true},
	{`"${upper(card.read_user.login)}!"`, true},
	{`{ a = upper(card.read_user.id), b = each.key }`, true},
	{`"x ${each.value}"`, false},   // a number: HCL converts it
	{`"x ${card.nope}"`, false},    // missing: HCL's error
	{`card.read_user.nope`, false}, // missing attribute
	{`card.read_user[0]`, false},
	{`var.groups[1]`, false}, // out of range
	{`var.groups["0"]`, false},
	{`var.groups.x`, false},
	{`nope`, false},
	{`nope.x`, false},
	{`each.value.x`, false},
	{`{ a = 1, a = 2 }`, false},
	{`{ (each.key) = 1 }`, false},
	{`{ a.b = 1 }`, false},
	{`{ 1 = "one" }`, false},
	{`card.read_user.id == "x" ? "a" : "b"`, false},
	{`[card.read_user.id, each.key]`, false},
	{`"%{ if each.key == "k" }yes%{ else }no%{ endif } ${card.read_user.id}"`, true},
	{`"%{ for g in var.groups }${g},%{ endfor }"`, true},
	{`<<-EOT
	  Name: ${card.read_user.login}
	  Groups: ${join(", ", var.groups)}
	  Manager: ${coalesce(card.read_user.id, "-")}
	EOT
`, true},
}

// rootCases run in the root scope, where trigger is the object.
var rootCases = []string{
	`trigger.event.uuid`, `trigger.event.target[0].displayName`, `trigger.event.target[1]["alternateId"]`,
	`trigger.event.target[2].id`, `trigger.event.target[0].nope`, `trigger.m.a`, `trigger.m["b.c"]`, `trigger.m.missing`,
	`trigger.nul`, `trigger.nul.x`, `trigger.nuls`, `"${trigger.nuls}"`, `trigger.unk`, `trigger.unk.x`, `"${trigger.unks}!"`,
	`trigger.secret`, `"s=${trigger.secret}"`, `trigger.sobj.x`, `trigger.deep.x`, `"${trigger.deep.x}"`, `{ d = trigger.deep }`,
	`trigger.num`, `"${trigger.num}"`, `"n=${trigger.num} f=${trigger.frac} y=${trigger.yes}"`, `trigger.tup[0]`, `trigger.tup[1]`,
	`trigger.tup[2]`, `trigger.tup[0.5]`, `trigger.dyn`, `trigger.dyn.x`, `trigger.strs[1]`, `trigger.empty[0]`, `trigger.set[0]`,
	`trigger.event["uuid"]`, `trigger["event"].uuid`, `{ u = trigger.event.uuid, t = trigger.event.target }`,
	`"${trigger.event.target[1].displayName} <${trigger.event.target[1].alternateId}>"`, `trigger.strs[-1]`,
}

func TestFastExprAgreesWithHCL(t *testing.T) {
	child := fastScope()
	for _, c := range fastCases {
		ok := checkFast(t, c.src, child)
		if c.fast && !ok {
			t.Errorf("%s: the fast path fell back to HCL", c.src)
		}
		if !c.fast && ok {
			t.Errorf("%s: the fast path gave a value where HCL must (its conversion or its error)", c.src)
		}
	}
	taken := 0
	for _, src := range rootCases {
		if checkFast(t, src, child.Parent()) {
			taken++
		}
	}
	if taken < len(rootCases)/3 {
		t.Errorf("the fast path gave %d of %d root values", taken, len(rootCases))
	}
}

// checkFast evaluates src both ways in ctx and fails t where the fast
// path gives a value HCL does not give, or gives one where HCL fails. It
// reports whether the fast path gave the value.
func checkFast(t *testing.T, src string, ctx *hcl.EvalContext) bool {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "fast.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s: %s", src, diags.Error())
	}
	f := compileFast(expr)
	if f == nil {
		return false
	}
	got, ok := f.value(ctx)
	if !ok {
		return false
	}
	want, diags := expr.Value(ctx)
	if diags.HasErrors() {
		t.Errorf("%s: the fast path gave %#v where HCL fails: %s", src, got, diags.Error())
		return true
	}
	if !got.RawEquals(want) || !got.Type().Equals(want.Type()) {
		t.Errorf("%s: fast path %#v, HCL %#v", src, got, want)
	}
	return true
}

func FuzzFastExpr(f *testing.F) {
	for _, c := range fastCases {
		f.Add(c.src, false)
	}
	for _, src := range rootCases {
		f.Add(src, true)
	}
	child := fastScope()
	f.Fuzz(func(t *testing.T, src string, root bool) {
		expr, diags := hclsyntax.ParseExpression([]byte(src), "fuzz.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			return
		}
		ctx := child
		if root {
			ctx = child.Parent()
		}
		f := compileFast(expr)
		if f == nil {
			return
		}
		got, ok := f.value(ctx)
		if !ok {
			return
		}
		want, diags := expr.Value(ctx)
		if diags.HasErrors() {
			t.Fatalf("%s: the fast path gave %#v where HCL fails: %s", src, got, diags.Error())
		}
		if !got.RawEquals(want) || !got.Type().Equals(want.Type()) {
			t.Fatalf("%s: fast path %#v, HCL %#v", src, got, want)
		}
	})
}

// BenchmarkArgument evaluates the peers' incident card's fields argument
// (two templates and a reference into the Okta event) on the fast path
// and with HCL.
func BenchmarkArgument(b *testing.B) {
	src := `{
      short_description = "New hire onboarding: ${trigger.event.target[0].displayName}"
      description       = "Okta user ${trigger.event.target[0].displayName} <${trigger.event.target[0].alternateId}> was created; provision laptop and accounts."
      correlation_id    = trigger.event.uuid
    }`
	expr, diags := hclsyntax.ParseExpression([]byte(src), "bench.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	ctx := fastScope().Parent()
	arg := &argInfo{attr: &hcl.Attribute{Expr: expr}, fast: compileFast(expr)}
	if arg.fast == nil {
		b.Fatal("not on the fast path")
	}
	for _, path := range []string{"fast", "hcl"} {
		b.Run(path, func(b *testing.B) {
			a := *arg
			if path == "hcl" {
				a.fast = nil
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := evalArg(&a, ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
