package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/zclconf/go-cty/cty"
)

// OktaWorkflows is the connector of the placeholders `cardflow import
// okta-workflows` writes for cards it could not convert. Its one action
// never validates: the placeholder's message names the original card, and
// the flow cannot run until the card is replaced.
func OktaWorkflows() *connector.Connector {
	return &connector.Connector{
		Name: "okta_workflows",
		Doc:  "Placeholders for Okta Workflows cards that cardflow import could not convert; validate rejects them until they are replaced.",
		Actions: []*connector.Action{{
			Name: "unconverted",
			Doc:  "An Okta Workflows card that was not converted. original names its module, card, title and inputs; inputs keeps their wiring. Replace the card with a cardflow action.",
			Input: connector.Schema{
				{Name: "original", Type: cty.String, Required: true, Doc: "The original card: module.card \"title\" with its inputs.", Check: func(v cty.Value) error {
					return fmt.Errorf("the Okta Workflows card %s was not converted; replace this card with a cardflow action (the import report says how)", v.AsString())
				}},
				{Name: "inputs", Type: cty.DynamicPseudoType, CredentialKeys: true, Doc: "The original card's inputs, wired as in Okta Workflows."},
			},
			Output: cty.DynamicPseudoType,
			Effect: connector.Pure,
			Do: func(context.Context, *connector.Call) (cty.Value, error) {
				return cty.NilVal, &connector.Error{Kind: connector.Invalid, Op: "okta_workflows.unconverted", Err: errors.New("an unconverted Okta Workflows card cannot run; replace it")}
			},
		}},
	}
}
