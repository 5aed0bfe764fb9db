package runtime

import (
	"encoding/json"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/zclconf/go-cty/cty"
)

// Redacted replaces sensitive values wherever they would be shown.
const Redacted = "(sensitive)"

// redact returns a JSON-ready copy of v where every value carrying the
// sensitive mark, and every attribute the schema marks sensitive, is
// replaced by Redacted.
func redact(v cty.Value, schema connector.Schema) any {
	if v == cty.NilVal {
		return nil
	}
	if schema != nil && v.Type().IsObjectType() && v.IsKnown() && !v.IsNull() {
		out := map[string]any{}
		for name := range v.Type().AttributeTypes() {
			av := v.GetAttr(name)
			if a, ok := schema.Lookup(name); ok && a.Sensitive && !av.IsNull() {
				out[name] = Redacted
				continue
			}
			out[name] = redactValue(av)
		}
		return out
	}
	return redactValue(v)
}

func redactValue(v cty.Value) any {
	if v.HasMark(lang.Sensitive) {
		return Redacted
	}
	v, _ = v.Unmark()
	if v.IsNull() || !v.IsKnown() {
		return nil
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType() || ty.IsMapType():
		out := make(map[string]any, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = redactValue(e)
		}
		return out
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		out := make([]any, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out = append(out, redactValue(e))
		}
		return out
	}
	g, err := connector.ToGo(v)
	if err != nil {
		return nil
	}
	return g
}

func marshal(x any) []byte {
	b, err := json.Marshal(x)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"unencodable": err.Error()})
	}
	return b
}
