package okta_test

import (
	"errors"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/connector/connectortest"
)

// Every action is declared with connector.NewAction: a card whose
// connection is not an okta one fails with kind invalid, named after the
// action, before any request.
func TestActionsRefuseOtherConnections(t *testing.T) {
	connectortest.RefusesOtherConnections(t, okta.New())
}

// Open's failures are kind invalid, name okta.open and keep the failure
// they wrap rather than a copy of its text.
func TestOpenFailureKeepsItsCause(t *testing.T) {
	_, err := okta.Open(connectionValue(map[string]cty.Value{
		"org_url": cty.StringVal("https://acme.okta.com"), "token": cty.StringVal("t"), "request_timeout": cty.StringVal("soon"),
	}))
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.Invalid || ce.Op != "okta.open" {
		t.Fatalf("err = %#v, want kind invalid from okta.open", err)
	}
	if ce.Err == nil || ce.Message != "" || err.Error() != "okta.open: "+ce.Err.Error() {
		t.Errorf("Open folded its cause into the message: %#v", ce)
	}
}
