package runtime_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/zclconf/go-cty/cty"
)

// spelledSecret needs escaping in a URL query, a URL path and JSON.
const spelledSecret = `b64+SECRET/"key"==`

// secretSpellings are the ways spelledSecret travels.
func secretSpellings() map[string]string {
	b := []byte(spelledSecret)
	return map[string]string{
		"raw":          spelledSecret,
		"query":        url.QueryEscape(spelledSecret),
		"path":         url.PathEscape(spelledSecret),
		"json":         `b64+SECRET/\"key\"==`,
		"base64":       base64.StdEncoding.EncodeToString(b),
		"base64url":    base64.URLEncoding.EncodeToString(b),
		"base64raw":    base64.RawStdEncoding.EncodeToString(b),
		"base64rawurl": base64.RawURLEncoding.EncodeToString(b),
	}
}

// TestRedactionSpellings has an action fail with an error quoting a
// sensitive variable in every spelling: none of them reaches the journal,
// the execution's output or the logs.
func TestRedactionSpellings(t *testing.T) {
	h := newHarness(t, redactFlows, withVars(map[string]string{"api_key": spelledSecret}))
	var msg strings.Builder
	for name, s := range secretSpellings() {
		msg.WriteString(name + "=" + s + " ")
	}
	h.fake.on("fails", func(context.Context, int, *connector.Call) (cty.Value, error) {
		return cty.NilVal, &connector.Error{Kind: connector.Permission, Op: "fake.step", Status: 401, Message: msg.String()}
	})
	res, ex := h.run("f", map[string]any{"user": "u1", "password": "irrelevant"})
	stored := []string{string(ex.Output), ex.Error}
	for _, en := range h.journal(ex.ID) {
		stored = append(stored, string(en.Input), string(en.Output), en.Error)
	}
	all := strings.Join(stored, "\n") + "\n" + h.logs.String()
	if !strings.Contains(string(ex.Output), "base64url="+runtime.Redacted) {
		t.Fatalf("the error did not reach the output (res %v): %s", res.Err, ex.Output)
	}
	for name, s := range secretSpellings() {
		if strings.Contains(all, s) {
			t.Errorf("the %s spelling %q was stored or logged:\n%s", name, s, all)
		}
	}
}
