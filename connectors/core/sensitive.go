package core

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/zclconf/go-cty/cty"
)

// sensitiveAttr is the "sensitive" argument of trigger "http.endpoint":
// fields of the body never stored (an Okta password import hook's
// data.context.credential.password).
var sensitiveAttr = connector.Attribute{
	Name: "sensitive", Type: cty.List(cty.String), Check: checkSensitive,
	Doc: "Fields of the body that are never stored, as dot-separated paths (\"data.context.credential.password\"); a path " +
		"through a list applies to every element. The execution the call starts reads them, marked sensitive, so that what " +
		"is computed from them is redacted too; the stored event, history and logs show \"(sensitive)\" instead, and an " +
		"execution that must run again from the stored event (crash recovery, replay) fails rather than run without them.",
}

// checkSensitive checks every path of sensitive, and names each bad one.
func checkSensitive(v cty.Value) error {
	var errs []error
	seen := map[string]bool{}
	for i, it := 1, v.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		if e.IsNull() {
			errs = append(errs, &connector.ItemError{Index: i, Err: errors.New("a path is null: give member names separated by dots")})
			continue
		}
		s := e.AsString()
		_, err := connector.ParseFieldPath(s)
		switch {
		case err == nil && strings.HasPrefix(s, "trigger."):
			err = fmt.Errorf("%q starts with trigger: a path is into the body, such as \"data.context.credential.password\" for trigger.body.data.context.credential.password", s)
		case err == nil && seen[s]:
			err = fmt.Errorf("%q is listed twice", s)
		}
		seen[s] = true
		if err != nil {
			errs = append(errs, &connector.ItemError{Key: s, Index: i, Err: err})
		}
	}
	return errors.Join(errs...)
}

// endpointSensitive is the Sensitive of trigger "http.endpoint": the
// paths of sensitive, into the trigger value's body.
func endpointSensitive(cfg cty.Value) []connector.SensitiveField {
	var out []connector.SensitiveField
	for _, s := range connector.Strings(cfg, "sensitive") {
		names, err := connector.ParseFieldPath(s)
		if err != nil {
			continue // validate refused it
		}
		out = append(out, connector.SensitiveField{Name: s, Path: append([]string{"body"}, names...)})
	}
	return out
}
