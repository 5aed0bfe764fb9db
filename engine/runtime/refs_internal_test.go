package runtime

import (
	"testing"

	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// TestReferenceMatchesHCL checks that reading a reference by walking the
// scope gives exactly what HCL gives, and that the walk gives up (so HCL
// evaluates the expression and reports its diagnostic) wherever it does
// not cover the case.
func TestReferenceMatchesHCL(t *testing.T) {
	user := cty.ObjectVal(map[string]cty.Value{
		"id":     cty.StringVal("00u1"),
		"login":  cty.StringVal("jane@example.com"),
		"groups": cty.ListVal([]cty.Value{cty.StringVal("Employees"), cty.StringVal("VPN")}),
		"tuple":  cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.NumberIntVal(2)}),
		"none":   cty.NullVal(cty.Object(map[string]cty.Type{"x": cty.String})),
		"later":  cty.UnknownVal(cty.Object(map[string]cty.Type{"x": cty.String})),
		"labels": cty.MapVal(map[string]cty.Value{"team": cty.StringVal("iam")}),
		"secret": cty.StringVal("hunter2hunter2").Mark(lang.Sensitive),
		"hidden": cty.ObjectVal(map[string]cty.Value{"x": cty.StringVal("y")}).Mark(lang.Sensitive),
	})
	trigger := cty.ObjectVal(map[string]cty.Value{
		"event": cty.ObjectVal(map[string]cty.Value{
			"target": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("00u1")})}),
		}),
	})
	vars := cty.ObjectVal(map[string]cty.Value{
		"groups": cty.ListVal([]cty.Value{cty.StringVal("Employees")}),
		"token":  cty.StringVal("s3cr3t-s3cr3t").Mark(lang.Sensitive),
	})
	each := &lang.Each{Key: cty.StringVal("Employees"), Value: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("Employees")})}
	s := &flowScope{
		info:    &genInfo{tables: cty.EmptyObjectVal, flows: cty.EmptyObjectVal},
		trigger: trigger,
		vars:    vars,
		places:  map[string]int{"read_user": 0, "later": 1},
		outs:    []cty.Value{user, cty.NilVal},
	}
	ctx := (&lang.Scope{Vars: vars, Trigger: trigger, Cards: s.cardsLocked(), Each: each,
		Tables: cty.EmptyObjectVal, Flows: cty.EmptyObjectVal}).EvalContext()

	tests := []struct {
		expr string
		walk bool // the walk answers; false: it must give up
	}{
		{"trigger.event.target[0].id", true},
		{"trigger.event", true},
		{"trigger", true},
		{"card.read_user.login", true},
		{"card.read_user.groups[1]", true},
		{"card.read_user.groups", true},
		{"card.read_user.tuple[1]", true},
		{"card.read_user", true},
		{"card.read_user.secret", true}, // a marked leaf keeps its mark
		{"var.groups", true},
		{"var.token", true},
		{"each.key", true},
		{"each.value.name", true},
		{"card.read_user.groups[2]", false},   // out of range: HCL's diagnostic
		{"card.read_user.nope", false},        // no such attribute
		{"card.read_user.none.x", false},      // null
		{"card.read_user.later.x", false},     // unknown
		{"card.read_user.labels.team", false}, // a map: HCL indexes it
		{"card.read_user.hidden.x", false},    // through a marked value
		{"card.other.id", false},              // not in the scope
		{"card.later.id", false},              // not run yet
		{"card.read_user.groups[*]", false},   // a splat is not a reference
		{"card.read_user[\"login\"]", false},  // an index by name
		{"each.other", false},
		{"upper(card.read_user.login)", false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			expr, diags := hclsyntax.ParseExpression([]byte(tt.expr), "test.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			ref := referenceOf(expr)
			var got cty.Value
			ok := false
			if ref != nil {
				got, ok = ref.value(s, each)
			}
			if ok != tt.walk {
				t.Fatalf("walk answered %v, want %v", ok, tt.walk)
			}
			if !ok {
				return
			}
			want, diags := expr.Value(ctx)
			if diags.HasErrors() {
				t.Fatalf("HCL: %s", diags)
			}
			if !got.RawEquals(want) {
				t.Errorf("walk gave %#v, HCL %#v", got, want)
			}
		})
	}
}

// TestInputsFallBackToHCL runs a card whose reference the walk gives up
// on: HCL evaluates it and reports the author's mistake.
func TestInputsFallBackToHCL(t *testing.T) {
	expr, _ := hclsyntax.ParseExpression([]byte("card.read_user.groups[5]"), "flow.hcl", hcl.Pos{Line: 3, Column: 10, Byte: 0})
	ref := referenceOf(expr)
	if ref == nil {
		t.Fatal("not recognised as a reference")
	}
	s := &flowScope{
		gen:    &plan.Generation{},
		info:   &genInfo{tables: cty.EmptyObjectVal, flows: cty.EmptyObjectVal, cards: map[*plan.Card]*cardInfo{}},
		vars:   cty.EmptyObjectVal,
		places: map[string]int{"read_user": 0},
		outs:   []cty.Value{cty.ObjectVal(map[string]cty.Value{"groups": cty.ListValEmpty(cty.String)})},
	}
	if _, ok := ref.value(s, nil); ok {
		t.Fatal("the walk answered an out-of-range index")
	}
	_, diags := expr.Value(s.evalContext(&plan.Card{}, nil))
	if !diags.HasErrors() || diags[0].Summary != "Invalid index" {
		t.Fatalf("HCL said %v, want Invalid index", diags)
	}
}
