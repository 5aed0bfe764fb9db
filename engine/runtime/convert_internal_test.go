package runtime

import (
	"testing"

	"github.com/cardflow/cardflow/engine/lang"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// convertInput gives what convert.Convert gives, for the objects it makes
// into maps itself and for those it leaves to convert.
func TestConvertInputIsConvert(t *testing.T) {
	str := cty.StringVal
	values := map[string]cty.Value{
		"strings":          cty.ObjectVal(map[string]cty.Value{"a": str("x"), "b": str("y")}),
		"empty":            cty.EmptyObjectVal,
		"null attribute":   cty.ObjectVal(map[string]cty.Value{"a": cty.NullVal(cty.String), "b": str("y")}),
		"unknown attr":     cty.ObjectVal(map[string]cty.Value{"a": cty.UnknownVal(cty.String)}),
		"marked attribute": cty.ObjectVal(map[string]cty.Value{"a": str("secret").Mark(lang.Sensitive), "b": str("y")}),
		"marked object":    cty.ObjectVal(map[string]cty.Value{"a": str("x")}).Mark(lang.Sensitive),
		"number":           cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(3), "b": str("y")}),
		"bool":             cty.ObjectVal(map[string]cty.Value{"a": cty.True}),
		"list":             cty.ObjectVal(map[string]cty.Value{"a": cty.ListVal([]cty.Value{str("x")})}),
		"dynamic null":     cty.ObjectVal(map[string]cty.Value{"a": cty.NullVal(cty.DynamicPseudoType)}),
		"unknown object":   cty.UnknownVal(cty.Object(map[string]cty.Type{"a": cty.String})),
		"null object":      cty.NullVal(cty.Object(map[string]cty.Type{"a": cty.String})),
		"map":              cty.MapVal(map[string]cty.Value{"a": str("x")}),
		"string":           str("x"),
	}
	types := []cty.Type{cty.Map(cty.String), cty.Map(cty.Number), cty.DynamicPseudoType, cty.String,
		cty.Object(map[string]cty.Type{"a": cty.String, "b": cty.String})}
	for name, v := range values {
		for _, ty := range types {
			want, wantErr := convert.Convert(v, ty)
			got, err := convertInput(v, ty)
			if (err != nil) != (wantErr != nil) || (err != nil && err.Error() != wantErr.Error()) {
				t.Errorf("%s to %s: error %v, convert says %v", name, ty.FriendlyName(), err, wantErr)
				continue
			}
			if err == nil && !got.RawEquals(want) {
				t.Errorf("%s to %s: %#v, convert says %#v", name, ty.FriendlyName(), got, want)
			}
		}
	}
}
