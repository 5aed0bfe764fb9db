package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store/memory"
)

// TestDemoConsoleToken: `cardflow demo --console` prints an admin token
// (cfadm_, as docs/security.md describes them) that signs in to its
// console with the operate role.
func TestDemoConsoleToken(t *testing.T) {
	st := memory.New()
	defer st.Close()
	var out bytes.Buffer
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var gotToken string
	login := 0
	opts := &DemoOptions{ConsoleListen: "127.0.0.1:0", consoleReady: func(u, token string) {
		defer cancel()
		gotToken = token
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.PostForm(u+"login", url.Values{"token": {token}, "next": {"/ui/executions"}})
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
		login = resp.StatusCode
	}}
	if err := (&demo{out: &out, store: st}).serveConsole(ctx, opts, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(gotToken, server.TokenPrefix) || len(gotToken) < len(server.TokenPrefix)+43 {
		t.Errorf("the demo's console token %q is not an admin token (%s and 256 random bits)", gotToken, server.TokenPrefix)
	}
	if !strings.Contains(out.String(), "Log in with this admin token (operate role, valid while the demo runs):\n  "+gotToken+"\n") {
		t.Errorf("the demo does not print its token:\n%s", out.String())
	}
	if login != http.StatusSeeOther {
		t.Errorf("signing in with the demo's token = %d, want 303", login)
	}
}
