package okta

import (
	"net/url"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

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
