package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// token posts a form to /oauth_token.do.
func (f *fixture) token(form url.Values) (int, map[string]any) {
	f.t.Helper()
	resp, err := http.PostForm(f.srv.URL+"/oauth_token.do", form)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestAuth(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.APIKeys = map[string]string{"key-123": approver} })
	unauth := map[string]any{
		"error":  map[string]any{"message": "User Not Authenticated", "detail": "Required to provide Auth information"},
		"status": "failure",
	}
	for name, hdr := range map[string][]string{
		"no auth":        {"Authorization", ""},
		"wrong password": basic(svcUser, "nope"),
		"unknown user":   basic("mallory", svcPass),
		"bad bearer":     {"Authorization", "Bearer nope"},
		"bad api key":    {"Authorization", "", "x-sn-apikey", "nope"},
	} {
		r := f.do("GET", "/api/now/table/incident", nil, hdr...)
		if r.status != 401 || !cmp.Equal(unauth, r.body) {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
		}
	}
	if r := f.do("GET", "/api/now/table/incident", nil, "Authorization", "", "x-sn-apikey", "key-123"); r.status != 200 {
		t.Errorf("api key: %d %s", r.status, r.raw)
	}

	status, tok := f.token(url.Values{"grant_type": {"password"}, "client_id": {"cardflow-client"}, "client_secret": {"client-secret"},
		"username": {approver}, "password": {approverPass}})
	if status != 200 || tok["token_type"] != "Bearer" || tok["expires_in"] != float64(1799) || tok["scope"] != "useraccount" || tok["refresh_token"] == "" {
		t.Fatalf("password grant = %d %v", status, tok)
	}
	bearer := []string{"Authorization", "Bearer " + tok["access_token"].(string)}
	r := f.do("POST", "/api/now/table/incident", map[string]any{"short_description": "via oauth"}, bearer...)
	if r.status != 201 || r.result()["sys_created_by"] != approver {
		t.Errorf("bearer POST = %d, created_by %v", r.status, r.result()["sys_created_by"])
	}

	status, cc := f.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {"cardflow-client"}, "client_secret": {"client-secret"}})
	if status != 200 {
		t.Fatalf("client_credentials = %d %v", status, cc)
	}
	r = f.do("POST", "/api/now/table/incident", map[string]any{"short_description": "cc"}, "Authorization", "Bearer "+cc["access_token"].(string))
	if r.result()["sys_updated_by"] != svcUser {
		t.Errorf("client_credentials acts as %v, want %s", r.result()["sys_updated_by"], svcUser)
	}
	status, rt := f.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {"cardflow-client"}, "client_secret": {"client-secret"},
		"refresh_token": {tok["refresh_token"].(string)}})
	if status != 200 || rt["access_token"] == tok["access_token"] {
		t.Errorf("refresh_token grant = %d %v", status, rt)
	}

	for name, form := range map[string]url.Values{
		"bad secret":   {"grant_type": {"client_credentials"}, "client_id": {"cardflow-client"}, "client_secret": {"x"}},
		"bad password": {"grant_type": {"password"}, "client_id": {"cardflow-client"}, "client_secret": {"client-secret"}, "username": {approver}, "password": {"x"}},
	} {
		if status, body := f.token(form); status != 401 || body["error_description"] != "access_denied" {
			t.Errorf("%s: %d %v", name, status, body)
		}
	}

	f.clock.Advance(1800 * time.Second)
	if r := f.do("GET", "/api/now/table/incident", nil, bearer...); r.status != 401 {
		t.Errorf("expired token: %d", r.status)
	}
}

func TestPermissiveAuth(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.Users = nil })
	r := f.do("POST", "/api/now/table/incident", map[string]any{"short_description": "x"}, basic("anyone.at.all", "whatever")...)
	if r.status != 201 || r.result()["sys_updated_by"] != "anyone.at.all" {
		t.Fatalf("permissive basic auth = %d %s", r.status, r.raw)
	}
	if u := f.e.Find("sys_user", "user_name=anyone.at.all"); len(u) != 1 {
		t.Errorf("acting user has %d sys_user rows, want 1", len(u))
	}
	if r := f.do("GET", "/api/now/table/incident", nil, "Authorization", ""); r.status != 401 {
		t.Errorf("no auth in permissive mode = %d, want 401", r.status)
	}
	if www := f.do("GET", "/api/now/table/incident", nil, "Authorization", "").header.Get("WWW-Authenticate"); !strings.HasPrefix(www, "BASIC") {
		t.Errorf("WWW-Authenticate = %q", www)
	}
}
