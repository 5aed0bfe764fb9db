package servicenow_test

import (
	"errors"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/connector/connectortest"
)

// Every action is declared with connector.NewAction: a card whose
// connection is not a servicenow one fails with kind invalid, named after the
// action, before any request.
func TestActionsRefuseOtherConnections(t *testing.T) {
	connectortest.RefusesOtherConnections(t, servicenow.New())
}

// A connection block Open refuses is a failure of kind invalid, not a
// plain error the engine would have to guess a kind for; and the
// descriptor's Open returns no client with it.
func TestOpenFailureIsInvalid(t *testing.T) {
	cases := map[string]map[string]cty.Value{
		"plain http":  {"instance_url": cty.StringVal("http://acme.service-now.com")},
		"bad timeout": {"instance_url": cty.StringVal("https://acme.service-now.com"), "timeout": cty.StringVal("soon")},
		"zero rate":   {"instance_url": cty.StringVal("https://acme.service-now.com"), "rate_limit": cty.NumberIntVal(0)},
	}
	for name, attrs := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := servicenow.New().Open(object(t, servicenow.New().Connection, attrs))
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != connector.Invalid || ce.Op != "servicenow.open" || ce.Err == nil {
				t.Fatalf("err = %#v, want kind invalid from servicenow.open with its cause", err)
			}
			if c != nil {
				t.Errorf("Open returned the client %#v with its error", c)
			}
		})
	}
}
