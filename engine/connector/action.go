package connector

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// ActionFunc is the work of an action on its connection's client C: it
// reads the card's arguments from call.Input (and, for a write that must
// happen once, its key from call.Key) and returns the output, either as Go
// values that FromGo converts to the action's Output type (maps, slices,
// strings, numbers, bools, nil: what encoding/json decodes into an any)
// or as a cty.Value
// that conforms to it. It returns an *Error for a failure whose kind it
// knows (HTTPKind maps a status); any other error becomes kind Other.
type ActionFunc[C Client] func(ctx context.Context, c C, call *Call) (any, error)

// NewAction completes a, whose Do must be nil, with a Do that runs do on
// the card's connection: it refuses a card without a connection of type C
// (kind Invalid), names every failure "<connector>.<action>" (Error.Op),
// gives a failure that is no *Error the kind Other, and converts the
// result to a.Output. Every connector declares its actions with it, so
// that these rules hold alike for all of them.
func NewAction[C Client](connectorName string, a Action, do ActionFunc[C]) *Action {
	if a.Do != nil {
		panic("connector.NewAction: " + a.Name + " already has a Do")
	}
	op := connectorName + "." + a.Name
	out := a.Output
	a.Do = func(ctx context.Context, call *Call) (cty.Value, error) {
		c, ok := call.Client.(C)
		if !ok {
			return cty.NilVal, &Error{Kind: Invalid, Op: op,
				Message: fmt.Sprintf("the card needs a %s connection (connection = connection.%s.<name>)", connectorName, connectorName)}
		}
		v, err := do(ctx, c, call)
		if err != nil {
			return cty.NilVal, WithOp(op, err)
		}
		if cv, ok := v.(cty.Value); ok {
			return cv, nil
		}
		res, err := FromGo(v, out)
		if err != nil {
			return cty.NilVal, &Error{Kind: Other, Op: op, Message: "unexpected response shape", Err: err}
		}
		return res, nil
	}
	return &a
}

// WithOp returns err as an *Error that names op first ("okta.read_user:
// GET /api/v1/users/x: HTTP 404 …"), keeping the kind of an *Error it
// wraps and giving any other error the kind Other. err is not changed.
func WithOp(op string, err error) *Error {
	var ce *Error
	if !errors.As(err, &ce) {
		return &Error{Kind: Other, Op: op, Err: err}
	}
	cp := *ce
	switch {
	case cp.Op == "":
		cp.Op = op
	case cp.Op != op && !strings.HasPrefix(cp.Op, op+": "):
		cp.Op = op + ": " + cp.Op
	}
	return &cp
}
