package lang

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// at is the range of a quoted predicate in column 10 of line 3.
func at(src string) hcl.Range {
	start := hcl.Pos{Line: 3, Column: 10, Byte: 100}
	end := hcl.Pos{Line: 3, Column: 10 + len(src) + 2, Byte: 100 + len(src) + 2}
	return hcl.Range{Filename: "f.hcl", Start: start, End: end}
}

func TestCompilePredicate(t *testing.T) {
	user := cty.Object(map[string]cty.Type{"status": cty.String, "profile": cty.Object(map[string]cty.Type{"department": cty.String})})
	env := map[string]cty.Type{
		"card": cty.Object(map[string]cty.Type{"read_user": user, "stop": cty.EmptyObject}),
		"var":  cty.Object(map[string]cty.Type{"groups": cty.List(cty.String)}),
	}
	tests := []struct {
		src, summary, detail string
		col, endCol          int // of the subject
	}{
		{src: "card.read_user.status == 'ACTIVE'"},
		{src: "'Employees' in var.groups && card.read_user.profile.department != ''"},
		{src: "card.read_user.stauts == 'ACTIVE'", summary: "Unknown field in condition", detail: `Did you mean "status"?`, col: 26, endCol: 32},
		{src: "card.stop.result != nil", summary: "Unknown field in condition"},
		{src: "card.read_user.status", summary: "Condition is not a boolean"},
		{src: "card.read_user.status ==", summary: "Condition syntax error"},
		{src: "carrd.read_user.status == ''", summary: "Unknown field in condition", detail: `Did you mean "card"?`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, diags := new(ExprChecker).CompilePredicate(tt.src, at(tt.src), env)
			if tt.summary == "" {
				if diags.HasErrors() || p == nil {
					t.Fatalf("unexpected %v", diags)
				}
				return
			}
			if len(diags) != 1 || p != nil {
				t.Fatalf("got %v, want one %q", diags, tt.summary)
			}
			d := diags[0]
			if d.Summary != tt.summary {
				t.Errorf("summary %q, want %q (%s)", d.Summary, tt.summary, d.Detail)
			}
			if tt.detail != "" && !strings.Contains(d.Detail, tt.detail) {
				t.Errorf("detail %q lacks %q", d.Detail, tt.detail)
			}
			if tt.col != 0 && (d.Subject.Start.Column != tt.col || d.Subject.End.Column != tt.endCol) {
				t.Errorf("subject columns %d-%d, want %d-%d", d.Subject.Start.Column, d.Subject.End.Column, tt.col, tt.endCol)
			}
		})
	}
}

func TestPredicateEval(t *testing.T) {
	src := "card.read_user.status != 'ACTIVE' && 'Employees' in var.groups"
	p, diags := new(ExprChecker).CompilePredicate(src, at(src), map[string]cty.Type{
		"card": cty.Object(map[string]cty.Type{"read_user": cty.Object(map[string]cty.Type{"status": cty.String})}),
		"var":  cty.Object(map[string]cty.Type{"groups": cty.List(cty.String)}),
	})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, tt := range []struct {
		status string
		want   bool
	}{{"STAGED", true}, {"ACTIVE", false}} {
		got, err := p.Eval(map[string]cty.Value{
			"card": cty.ObjectVal(map[string]cty.Value{"read_user": cty.ObjectVal(map[string]cty.Value{"status": cty.StringVal(tt.status)})}),
			"var":  cty.ObjectVal(map[string]cty.Value{"groups": cty.ListVal([]cty.Value{cty.StringVal("Employees")})}),
		})
		if err != nil || got != tt.want {
			t.Errorf("status %s: got %v, %v; want %v", tt.status, got, err, tt.want)
		}
	}
}

func TestPredicateRefs(t *testing.T) {
	src := "card.read_user.status != 'ACTIVE' && each.value == card.groups.count"
	type ref struct {
		Root, Name     string
		Column, EndCol int
	}
	var got []ref
	for _, r := range PredicateRefs(src, at(src)) {
		got = append(got, ref{r.Root, r.Name, r.Range.Start.Column, r.Range.End.Column})
	}
	want := []ref{
		{"card", "read_user", 11, 25},
		{"each", "value", 48, 58},
		{"card", "groups", 62, 73},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if refs := PredicateRefs("card.read_user ==", at("card.read_user ==")); refs != nil {
		t.Errorf("a predicate with a syntax error has refs: %v", refs)
	}
}

// A checker builds the struct type mirroring an object type once and
// reuses it for an equal type built elsewhere; another checker keeps its
// own.
func TestExprCheckerKeepsStructTypes(t *testing.T) {
	obj := func() cty.Type {
		return cty.Object(map[string]cty.Type{"login": cty.String, "groups": cty.List(cty.String)})
	}
	var x ExprChecker
	first := x.goType(obj())
	if again := x.goType(obj()); again != first || len(x.structs) != 1 {
		t.Errorf("an equal type got %v (%d kept), want the kept %v", again, len(x.structs), first)
	}
	var y ExprChecker
	y.goType(obj())
	if len(y.structs) != 1 || len(x.structs) != 1 {
		t.Errorf("checkers share what they keep: %d and %d entries", len(x.structs), len(y.structs))
	}
	for i := range maxStructs + 10 {
		x.goType(cty.Object(map[string]cty.Type{fmt.Sprintf("a%d", i): cty.String}))
	}
	if len(x.structs) != maxStructs {
		t.Errorf("a checker keeps %d struct types, want at most %d", len(x.structs), maxStructs)
	}
}
