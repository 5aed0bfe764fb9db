package connector

import (
	"slices"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// HasString answers what slices.Contains(Strings(…), s) does.
func TestHasStringIsStringsContains(t *testing.T) {
	s := cty.StringVal
	lists := []cty.Value{
		cty.ListVal([]cty.Value{s("a"), s("b")}),
		cty.ListVal([]cty.Value{s("a").Mark("sensitive"), cty.NullVal(cty.String), cty.UnknownVal(cty.String)}),
		cty.ListVal([]cty.Value{s("a"), s("b")}).Mark("sensitive"),
		cty.SetVal([]cty.Value{s("b"), s("")}),
		cty.ListValEmpty(cty.String),
		cty.MapVal(map[string]cty.Value{"k": s("a")}),
		cty.TupleVal([]cty.Value{s("a"), cty.NumberIntVal(1), cty.True}),
		cty.NullVal(cty.List(cty.String)),
		cty.UnknownVal(cty.List(cty.String)),
		s("a"),
	}
	found := 0
	for _, l := range lists {
		obj := cty.ObjectVal(map[string]cty.Value{"event_types": l})
		for _, want := range []string{"a", "b", "", "1", "k", "c"} {
			w := slices.Contains(Strings(obj, "event_types"), want)
			if got := HasString(obj, "event_types", want); got != w {
				t.Errorf("HasString(%#v, %q) = %v, want %v", l, want, got, w)
			}
			if w {
				found++
			}
		}
		if HasString(obj, "other", "a") {
			t.Errorf("HasString of a missing attribute is true")
		}
	}
	if found < 5 {
		t.Fatalf("only %d strings were found: the table does not test finding", found)
	}
}
