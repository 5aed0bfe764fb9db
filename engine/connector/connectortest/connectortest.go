// Package connectortest holds the checks every connector's tests run
// against its descriptor, as storetest does for stores: what
// connector.NewAction promises, held for each action a connector
// declares.
package connectortest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// otherClient is a connection of another connector.
type otherClient struct{}

func (otherClient) Close() error { return nil }

// RefusesOtherConnections checks that every action of c, given a
// connection of another connector, fails with kind invalid, named after
// the action and saying which connection it needs, before any request.
func RefusesOtherConnections(t *testing.T, c *connector.Connector) {
	t.Helper()
	if len(c.Actions) == 0 {
		t.Fatalf("connector %s declares no actions", c.Name)
	}
	for _, a := range c.Actions {
		t.Run(a.Name, func(t *testing.T) {
			in, err := connector.ArgsOf(a.Input, cty.EmptyObjectVal)
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.Do(context.Background(), &connector.Call{Client: otherClient{}, Input: in})
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != connector.Invalid || ce.Op != c.Name+"."+a.Name ||
				!strings.Contains(ce.Message, "connection."+c.Name+".<name>") {
				t.Errorf("err = %#v, want kind invalid, Op %s.%s and how to fix it", err, c.Name, a.Name)
			}
		})
	}
}
