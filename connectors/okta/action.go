package okta

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// doFunc performs an action and returns a JSON-like Go value that
// connector.FromGo conforms to the action's Output type.
type doFunc func(ctx context.Context, c *Client, in connector.Args) (any, error)

// action builds an Action whose Do resolves the connection, runs do and
// turns every failure into an *connector.Error with Op "okta.<name>".
func action(name, doc string, effect connector.Effect, input connector.Schema, output cty.Type, do doFunc) *connector.Action {
	op := Name + "." + name
	return &connector.Action{
		Name:   name,
		Doc:    doc,
		Input:  input,
		Output: output,
		Effect: effect,
		Do: func(ctx context.Context, call *connector.Call) (cty.Value, error) {
			c, ok := call.Client.(*Client)
			if !ok || c == nil {
				return cty.NilVal, &connector.Error{Kind: connector.Invalid, Op: op,
					Message: "the card needs an okta connection (connection = connection.okta.<name>)"}
			}
			v, err := do(ctx, c, call.Input)
			if err != nil {
				return cty.NilVal, withOp(op, err)
			}
			out, err := connector.FromGo(v, output)
			if err != nil {
				return cty.NilVal, &connector.Error{Kind: connector.Other, Op: op,
					Message: "unexpected response shape", Err: err}
			}
			return out, nil
		},
	}
}

// withOp returns err as an *connector.Error carrying op.
func withOp(op string, err error) error {
	var ce *connector.Error
	if !errors.As(err, &ce) {
		ce = classifyHTTP(0, nil, err)
	}
	if ce.Op == "" {
		ce.Op = op
	}
	return ce
}

// userAttr is the `user` argument shared by most actions.
var userAttr = connector.Attribute{Name: "user", Type: cty.String, Required: true,
	Doc: "The user's id (00u…) or login."}

// pathSegment escapes s for use as one URL path segment: the SDK
// concatenates ids into paths without escaping them.
func pathSegment(s string) string { return url.PathEscape(s) }

// scimString quotes s as a SCIM filter string literal.
func scimString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// timestamp formats an SDK time the way Okta writes them, or nil.
func timestamp(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// str returns s, or nil for the empty string (a null in the output).
func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// checkable unmarks v for a Check, which sees only known values but may
// see sensitive ones; ok is false for unknown and null values.
func checkable(v cty.Value) (cty.Value, bool) {
	if v == cty.NilVal || !v.IsWhollyKnown() || v.IsNull() {
		return v, false
	}
	v, _ = v.UnmarkDeep()
	return v, true
}
