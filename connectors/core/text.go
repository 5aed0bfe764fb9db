package core

import (
	"context"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/zclconf/go-cty/cty"
)

// Text is the text connector: text.compose.
func Text() *connector.Connector {
	return &connector.Connector{
		Name: "text",
		Doc:  "Text functions.",
		Actions: []*connector.Action{{
			Name: "compose",
			Doc:  "Composes a text from a template: text = \"Hello ${card.read_user.first_name}\". The output is { text }.",
			Input: connector.Schema{
				{Name: "text", Type: cty.String, Required: true, Doc: "The text; use ${…} to insert values."},
			},
			Output: cty.Object(map[string]cty.Type{"text": cty.String}),
			Effect: connector.Pure,
			Do: func(_ context.Context, call *connector.Call) (cty.Value, error) {
				return cty.ObjectVal(map[string]cty.Value{"text": call.Input.Get("text")}), nil
			},
		}},
	}
}
