package okta_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/engine/connector"
)

// otherClient is a connection of another connector.
type otherClient struct{}

func (otherClient) Close() error { return nil }

// Every action is declared with connector.NewAction: a card whose
// connection is not an okta one fails with kind invalid, named after the
// action, before any request.
func TestActionsRefuseOtherConnections(t *testing.T) {
	for _, a := range okta.New().Actions {
		t.Run(a.Name, func(t *testing.T) {
			in, err := connector.ArgsOf(a.Input, cty.EmptyObjectVal)
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.Do(context.Background(), &connector.Call{Client: otherClient{}, Input: in})
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != connector.Invalid || ce.Op != "okta."+a.Name ||
				!strings.Contains(ce.Message, "connection.okta.<name>") {
				t.Errorf("err = %#v, want kind invalid, Op okta.%s and how to fix it", err, a.Name)
			}
		})
	}
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
