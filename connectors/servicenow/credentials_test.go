package servicenow_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine/connector"
)

// TestCheckCredentials: validate --check-env asks the instance whether it
// takes the connection's credentials. A wrong password, OAuth client
// secret or API key (401, as every card would get) is an error naming the
// instance's answer and which arguments it refused, never their values;
// right credentials, a user the instance does not let read sys_user (403)
// and an instance that cannot be reached are not.
func TestCheckCredentials(t *testing.T) {
	check := descriptor.CheckCredentials
	if check == nil {
		t.Fatal("the servicenow connector has no CheckCredentials")
	}
	opts := func() emulator.Options {
		return emulator.Options{
			Users:    map[string]string{svcUser: svcPass},
			ClientID: "cardflow", ClientSecret: "client-s3cret", ClientUser: svcUser,
			APIKeys: map[string]string{"key-0k": svcUser},
		}
	}
	for _, tt := range []struct {
		name   string
		conn   map[string]cty.Value
		secret string // must not appear in the error
		want   string // "" for no error
	}{
		{"right password", basicAuth(svcUser, svcPass), svcPass, ""},
		{"wrong password", basicAuth(svcUser, "wr0ng-pa55word"), "wr0ng-pa55word",
			"HTTP 401: User Not Authenticated: Required to provide Auth information (username and password)"},
		{"unknown user", basicAuth("nobody", svcPass), svcPass,
			"HTTP 401: User Not Authenticated: Required to provide Auth information (username and password)"},
		{"right client", map[string]cty.Value{"client_id": str("cardflow"), "client_secret": str("client-s3cret")}, "client-s3cret", ""},
		{"wrong client secret", map[string]cty.Value{"client_id": str("cardflow"), "client_secret": str("wr0ng-s3cret")}, "wr0ng-s3cret",
			"HTTP 401: OAuth token request failed: server_error: access_denied (client_id and client_secret)"},
		{"password grant, wrong password", map[string]cty.Value{"client_id": str("cardflow"), "client_secret": str("client-s3cret"),
			"username": str(svcUser), "password": str("wr0ng-pa55word")}, "wr0ng-pa55word",
			"HTTP 401: OAuth token request failed: server_error: access_denied (client_id, client_secret, username and password)"},
		{"right api key", map[string]cty.Value{"api_key": str("key-0k")}, "key-0k", ""},
		{"wrong api key", map[string]cty.Value{"api_key": str("key-wr0ng")}, "key-wr0ng",
			"HTTP 401: User Not Authenticated: Required to provide Auth information (api_key)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := newInstance(t, opts(), tt.conn)
			err := check(context.Background(), in.c)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckCredentials: %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckCredentials: nil, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("CheckCredentials: %q, want %q", err, tt.want)
			}
			if connector.KindOf(err) != connector.Permission {
				t.Errorf("kind %v, want permission", connector.KindOf(err))
			}
			if strings.Contains(err.Error(), tt.secret) {
				t.Errorf("the error shows the secret: %q", err)
			}
		})
	}

	t.Run("may not read sys_user", func(t *testing.T) {
		in := newInstance(t, opts(), nil)
		in.emu.Inject(emulator.Fault{Method: "GET", PathPrefix: "/api/now/table/sys_user", Status: http.StatusForbidden})
		if err := check(context.Background(), in.c); err != nil {
			t.Errorf("CheckCredentials on 403: %v, want nil (the other checks warn)", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		if err := check(context.Background(), open(t, url, basicAuth(svcUser, svcPass))); err != nil {
			t.Errorf("CheckCredentials of an instance that cannot be reached: %v, want nil", err)
		}
	})
}
