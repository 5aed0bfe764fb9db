package servicenow_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// tokenServer is a fake instance that issues OAuth tokens and accepts only
// the newest one on the Table API.
type tokenServer struct {
	mu        sync.Mutex
	grants    []string // grant_type of every token request
	current   string
	expiresIn string
	secret    string
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/oauth_token.do" {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("client_secret") != s.secret {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"access_denied","error_description":"invalid client credentials"}`)
			return
		}
		s.grants = append(s.grants, r.PostForm.Get("grant_type"))
		s.current = fmt.Sprintf("token-%d", len(s.grants))
		json.NewEncoder(w).Encode(map[string]any{"access_token": s.current, "token_type": "Bearer", "expires_in": json.RawMessage(s.expiresIn)})
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.current {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}`)
		return
	}
	fmt.Fprint(w, `{"result":{"sys_id":"abc","number":"INC0000001","state":"1"}}`)
}

// revoke makes the instance forget the current token.
func (s *tokenServer) revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current = "revoked"
}

func (s *tokenServer) grantTypes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.grants...)
}

func TestOAuth(t *testing.T) {
	read := map[string]cty.Value{"table": str("incident"), "sys_id": str("abc")}
	oauth := func(secret string, user bool) map[string]cty.Value {
		m := map[string]cty.Value{"client_id": str("cardflow"), "client_secret": str(secret)}
		if user {
			m["username"], m["password"] = str("svc"), str("pw")
		}
		return m
	}

	t.Run("password grant, cached, refreshed once on 401", func(t *testing.T) {
		ts := &tokenServer{expiresIn: "1799", secret: "s3cret"}
		srv := httptest.NewServer(ts)
		defer srv.Close()
		c := open(t, srv.URL, oauth("s3cret", true))
		for range 3 {
			mustRun(t, c, "read_record", read)
		}
		if g := ts.grantTypes(); len(g) != 1 || g[0] != "password" {
			t.Fatalf("grants = %v, want one password grant", g)
		}
		ts.revoke()
		if v := mustRun(t, c, "read_record", read); field(v, "number") != "INC0000001" {
			t.Fatalf("unexpected record %#v", v)
		}
		if g := ts.grantTypes(); len(g) != 2 {
			t.Fatalf("grants after a 401 = %v, want a second token", g)
		}
	})

	t.Run("client_credentials grant, refreshed before expiry", func(t *testing.T) {
		ts := &tokenServer{expiresIn: `"1"`, secret: "s3cret"} // ServiceNow may send it as a string
		srv := httptest.NewServer(ts)
		defer srv.Close()
		c := open(t, srv.URL, oauth("s3cret", false))
		mustRun(t, c, "read_record", read)
		time.Sleep(1100 * time.Millisecond)
		mustRun(t, c, "read_record", read)
		g := ts.grantTypes()
		if len(g) != 2 || g[0] != "client_credentials" {
			t.Fatalf("grants = %v, want two client_credentials grants", g)
		}
	})

	t.Run("concurrent cards fetch one token", func(t *testing.T) {
		ts := &tokenServer{expiresIn: "1799", secret: "s3cret"}
		srv := httptest.NewServer(ts)
		defer srv.Close()
		c := open(t, srv.URL, oauth("s3cret", true))
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := run(t, c, "read_record", read); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if g := ts.grantTypes(); len(g) != 1 {
			t.Fatalf("grants = %v, want one", g)
		}
	})

	t.Run("bad secret is a permission error", func(t *testing.T) {
		ts := &tokenServer{expiresIn: "1799", secret: "s3cret"}
		srv := httptest.NewServer(ts)
		defer srv.Close()
		c := open(t, srv.URL, oauth("wrong", true))
		_, err := run(t, c, "read_record", read)
		ce := asError(t, err)
		if ce.Kind != connector.Permission || ce.Status != 401 {
			t.Fatalf("got %v (%v), want a 401 permission error", ce.Kind, err)
		}
	})
}

// TestOAuthTokenAnswers: answers of the token endpoint that are not a token
// are errors of the kind the engine retries or fails on, and say why.
func TestOAuthTokenAnswers(t *testing.T) {
	read := map[string]cty.Value{"table": str("incident"), "sys_id": str("abc")}
	creds := map[string]cty.Value{"client_id": str("cardflow"), "client_secret": str("s3cret"), "username": str("svc"), "password": str("pw-9f3k")}
	for _, tc := range []struct {
		name   string
		status int
		body   string
		kind   connector.Kind
		want   string
	}{
		{"no access_token", 200, `{"token_type":"Bearer","expires_in":1799}`, connector.Transient, "OAuth token answer was not a token"},
		{"invalid_grant", 400, `{"error":"invalid_grant","error_description":"bad user"}`, connector.Permission, "OAuth token request failed: invalid_grant: bad user"},
		{"instance down", 503, `{"error":{"message":"Service Unavailable","detail":null},"status":"failure"}`, connector.Transient, "OAuth token request failed: Service Unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			_, err := run(t, open(t, srv.URL, creds), "read_record", read)
			ce := asError(t, err)
			if ce.Kind != tc.kind || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v %q, want %v containing %q", ce.Kind, err, tc.kind, tc.want)
			}
			for _, secret := range []string{"s3cret", "pw-9f3k"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains a secret", err)
				}
			}
		})
	}

	t.Run("no instance is transient", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		_, err := run(t, open(t, url, creds), "read_record", read)
		if ce := asError(t, err); ce.Kind != connector.Transient {
			t.Fatalf("got %v (%v), want Transient", ce.Kind, err)
		}
	})
}
