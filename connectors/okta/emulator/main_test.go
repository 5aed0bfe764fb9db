package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"
	"go.uber.org/goleak"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

func TestMain(m *testing.M) {
	// okta-sdk-golang starts a go-cache janitor per client (even with
	// WithCache(false)) and stops it only from a finalizer: not ours.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/patrickmn/go-cache.(*janitor).Run"))
}

const testToken = "test-token"

// org is an emulator behind an httptest server with a real SDK client.
type org struct {
	emu    *emulator.Emulator
	srv    *httptest.Server
	client *okta.Client
	ctx    context.Context
}

func newOrg(t *testing.T, opts emulator.Options, extra ...okta.ConfigSetter) *org {
	t.Helper()
	emu := emulator.New(opts)
	srv := httptest.NewServer(emu)
	t.Cleanup(func() {
		srv.Close()
		emu.Close()
	})
	o := &org{emu: emu, srv: srv}
	o.ctx, o.client = newClient(t, srv, testToken, extra...)
	return o
}

func newClient(t *testing.T, srv *httptest.Server, token string, extra ...okta.ConfigSetter) (context.Context, *okta.Client) {
	t.Helper()
	setters := append([]okta.ConfigSetter{
		okta.WithOrgUrl(srv.URL),
		okta.WithToken(token),
		okta.WithTestingDisableHttpsCheck(true),
		okta.WithCache(false),
		okta.WithRateLimitMaxRetries(0),
		okta.WithHttpClientPtr(srv.Client()),
	}, extra...)
	ctx, client, err := okta.NewClient(context.Background(), setters...)
	if err != nil {
		t.Fatalf("okta.NewClient: %v", err)
	}
	return ctx, client
}

func profile(login, first, last string) map[string]any {
	return map[string]any{"login": login, "email": login, "firstName": first, "lastName": last}
}

// createUser creates a user with a password, who is ACTIVE once activated
// (createUserNoPassword makes one who stays PROVISIONED).
func (o *org) createUser(t *testing.T, login string, activate bool) *okta.User {
	t.Helper()
	p := okta.UserProfile(profile(login, "Test", "User"))
	creds := &okta.UserCredentials{Password: &okta.PasswordCredential{Value: "Welcome-2-Acme"}}
	u, _, err := o.client.User.CreateUser(o.ctx, okta.CreateUserRequest{Profile: &p, Credentials: creds},
		query.NewQueryParams(query.WithActivate(activate)))
	if err != nil {
		t.Fatalf("CreateUser %s: %v", login, err)
	}
	return u
}

// wantOktaError checks that err is an Okta API error with the given code
// and that the response carried the status.
func wantOktaError(t *testing.T, resp *okta.Response, err error, status int, code string) {
	t.Helper()
	var oe *okta.Error
	if !errors.As(err, &oe) {
		t.Fatalf("error = %v (%T), want *okta.Error %s", err, err, code)
	}
	if oe.ErrorCode != code {
		t.Errorf("errorCode = %q, want %q (summary %q)", oe.ErrorCode, code, oe.ErrorSummary)
	}
	if resp == nil || resp.StatusCode != status {
		got := 0
		if resp != nil {
			got = resp.StatusCode
		}
		t.Errorf("status = %d, want %d", got, status)
	}
}

func doRaw(t *testing.T, o *org, method, path, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, o.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := o.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// getJSON GETs path with the test token and decodes the JSON object answer.
func getJSON(t *testing.T, o *org, path string) map[string]any {
	t.Helper()
	resp := doRaw(t, o, http.MethodGet, path, "SSWS "+testToken)
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return v
}
