package core

import (
	"context"
	"encoding/json"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/zclconf/go-cty/cty"
)

// JSON is the json connector: json.parse and json.build.
func JSON() *connector.Connector {
	return &connector.Connector{
		Name: "json",
		Doc:  "JSON parsing and building.",
		Actions: []*connector.Action{
			{
				Name: "parse",
				Doc:  "Parses a JSON text. The output is { value }.",
				Input: connector.Schema{
					{Name: "text", Type: cty.String, Required: true,
						Doc: "The JSON text: an object, array, string, number, true, false or null. Any other text fails the card."},
				},
				Output: cty.Object(map[string]cty.Type{"value": cty.DynamicPseudoType}),
				Effect: connector.Pure,
				Do: func(_ context.Context, call *connector.Call) (cty.Value, error) {
					v, err := connector.FromJSON([]byte(call.Input.String("text")), cty.DynamicPseudoType)
					if err != nil {
						return cty.NilVal, connector.Errorf(connector.Invalid, "the text is not JSON: %v", err)
					}
					return cty.ObjectVal(map[string]cty.Value{"value": v}), nil
				},
			},
			{
				Name: "build",
				Doc:  "Encodes a value as JSON text. The output is { text }.",
				Input: connector.Schema{
					{Name: "value", Type: cty.DynamicPseudoType, Required: true,
						Doc: "The value to encode, of any type. The text is compact, with object keys sorted."},
				},
				Output: cty.Object(map[string]cty.Type{"text": cty.String}),
				Effect: connector.Pure,
				Do: func(_ context.Context, call *connector.Call) (cty.Value, error) {
					g, err := connector.ToGo(call.Input.Get("value"))
					if err != nil {
						return cty.NilVal, connector.Errorf(connector.Invalid, "%v", err)
					}
					b, err := json.Marshal(g)
					if err != nil {
						return cty.NilVal, connector.Errorf(connector.Invalid, "%v", err)
					}
					return cty.ObjectVal(map[string]cty.Value{"text": cty.StringVal(string(b))}), nil
				},
			},
		},
	}
}
