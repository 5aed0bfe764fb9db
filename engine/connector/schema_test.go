package connector

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func TestSchema(t *testing.T) {
	s := Schema{
		{Name: "user", Type: cty.String, Required: true},
		{Name: "groups", Type: cty.List(cty.String)},
		{Name: "body", Type: cty.DynamicPseudoType},
	}
	if diff := cmp.Diff([]string{"user", "groups", "body"}, s.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	a, ok := s.Lookup("groups")
	if !ok || a.Name != "groups" {
		t.Errorf("Lookup(groups) = %v, %v", a, ok)
	}
	// Lookup returns the schema's own attribute, not a copy.
	a.Doc = "changed"
	if s[1].Doc != "changed" {
		t.Error("Lookup returned a copy")
	}
	if _, ok := s.Lookup("user "); ok {
		t.Error("Lookup of a near miss succeeded")
	}
	want := cty.Object(map[string]cty.Type{"user": cty.String, "groups": cty.List(cty.String), "body": cty.DynamicPseudoType})
	if got := s.ObjectType(); !got.Equals(want) {
		t.Errorf("ObjectType = %#v, want %#v", got, want)
	}
	if got := (Schema{}).ObjectType(); !got.Equals(cty.EmptyObject) {
		t.Errorf("empty ObjectType = %#v", got)
	}
}
