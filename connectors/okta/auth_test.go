package okta_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/engine/connector"
)

// An OAuth 2.0 service app: Open does no I/O; the first call fetches a
// token through the connection's transport, later calls reuse it.
func TestPrivateKeyAuth(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	pems := map[string]string{
		"pkcs8": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
		"pkcs1": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
	}
	for name, keyPEM := range pems {
		t.Run(name, func(t *testing.T) {
			var tokens, calls atomic.Int32
			var mu sync.Mutex
			var assertion string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch {
				case r.URL.Path == "/oauth2/v1/token":
					tokens.Add(1)
					mu.Lock()
					assertion = r.URL.Query().Get("client_assertion")
					mu.Unlock()
					if r.URL.Query().Get("scope") != "okta.users.read okta.groups.read" {
						http.Error(w, `{"error":"invalid_scope"}`, 400)
						return
					}
					fmt.Fprint(w, `{"token_type":"Bearer","expires_in":3600,"access_token":"at-1","scope":"okta.users.read"}`)
				case r.Header.Get("Authorization") != "Bearer at-1":
					w.WriteHeader(401)
					fmt.Fprint(w, `{"errorCode":"E0000011","errorSummary":"Invalid token provided"}`)
				default:
					calls.Add(1)
					fmt.Fprint(w, `{"id":"00u1","status":"ACTIVE","profile":{"login":"a@x"}}`)
				}
			}))
			defer srv.Close()
			cfg := connectionValue(map[string]cty.Value{
				"org_url": s(srv.URL), "client_id": s("0oaclient"), "private_key": s(keyPEM),
				"private_key_id": s("kid-1"),
				"scopes":         cty.ListVal([]cty.Value{s("okta.users.read"), s("okta.groups.read")}),
			})
			c, err := okta.Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if tokens.Load() != 0 {
				t.Fatal("Open fetched a token")
			}
			for range 2 {
				if _, err := doWith(t, c, "read_user", map[string]cty.Value{"user": s("a@x")}); err != nil {
					t.Fatal(err)
				}
			}
			if tokens.Load() != 1 || calls.Load() != 2 {
				t.Errorf("%d token requests and %d calls, want 1 and 2", tokens.Load(), calls.Load())
			}
			mu.Lock()
			defer mu.Unlock()
			header, _, _ := strings.Cut(assertion, ".")
			raw, _ := base64.RawURLEncoding.DecodeString(header)
			var h map[string]string
			if json.Unmarshal(raw, &h) != nil || h["kid"] != "kid-1" || h["alg"] != "RS256" {
				t.Errorf("client assertion header %s", raw)
			}
		})
	}
}

// The SDK reads ~/.okta/okta.yaml and OKTA_CLIENT_* variables; a
// connection must not be changed by them.
func TestEnvironmentDoesNotLeakIn(t *testing.T) {
	t.Setenv("OKTA_CLIENT_TOKEN", "not-the-token")
	t.Setenv("OKTA_CLIENT_AUTHORIZATIONMODE", "Bearer")
	t.Setenv("OKTA_CLIENT_CACHE_ENABLED", "true")
	t.Setenv("OKTA_CLIENT_RATE_LIMIT_MAX_RETRIES", "5")
	t.Setenv("OKTA_CLIENT_ORGURL", "https://elsewhere.okta.com")
	o := newOrg(t, nil)
	in := map[string]cty.Value{"user": s("kari.nordmann@acme.example")}
	if out := o.mustDo(t, "read_user", in); get(out, "status") != "STAGED" {
		t.Fatalf("status %s", get(out, "status"))
	}
	o.mustDo(t, "activate_user", in) // Kari has no password: PROVISIONED
	if out := o.mustDo(t, "read_user", in); get(out, "status") != "PROVISIONED" {
		t.Errorf("stale read: status %s, want PROVISIONED (the SDK cache must be off)", get(out, "status"))
	}
}

// One connection serves many executions at once.
func TestConcurrentActions(t *testing.T) {
	o := newOrg(t, map[string]cty.Value{"rate_limit": cty.NumberIntVal(1000)})
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := doWith(t, o.client, "read_user", map[string]cty.Value{"user": s("erik.berg@acme.example")})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			group := []string{"Employees", "Finance", "VPN Users", "VPN Users Europe"}[i%4]
			_, err := doWith(t, o.client, "add_user_to_group", map[string]cty.Value{
				"user": s("kari.nordmann@acme.example"), "group": s(group)})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(o.emu.UserGroups("kari.nordmann@acme.example")); n != 5 {
		t.Errorf("kari is in %d groups, want the 4 and Everyone", n)
	}
}

// A failed token request keeps its status: a 503 is worth a retry, a
// rejected client is not.
func TestPrivateKeyTokenFailures(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	tests := []struct {
		status int
		body   string
		kind   connector.Kind
		text   string
	}{
		{401, `{"error":"invalid_client","error_description":"The client_assertion signature is invalid."}`, connector.Permission, "signature is invalid"},
		{400, `{"error":"invalid_scope","error_description":"The requested scope is invalid."}`, connector.Permission, "scope"},
		{503, `<html>down</html>`, connector.Transient, "down"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			c, err := okta.Open(connectionValue(map[string]cty.Value{
				"org_url": s(srv.URL), "client_id": s("0oaclient"), "private_key": s(keyPEM),
				"scopes": cty.ListVal([]cty.Value{s("okta.users.read")}),
			}))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = doWith(t, c, "read_user", map[string]cty.Value{"user": s("a@x")})
			ce := asError(t, err)
			if ce.Kind != tt.kind || ce.Status != tt.status || !strings.Contains(ce.Error(), tt.text) {
				t.Errorf("error %v: kind %v status %d, want %v %d containing %q", err, ce.Kind, ce.Status, tt.kind, tt.status, tt.text)
			}
		})
	}
}
