package emulator

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"
)

// token is an issued OAuth access or refresh token.
type token struct {
	user    string
	expires time.Time
	refresh bool
}

// authenticate returns the acting user_name from basic auth, a Bearer token
// from /oauth_token.do or an x-sn-apikey header.
func (e *Emulator) authenticate(r *http.Request) (string, bool) {
	if key := r.Header.Get("x-sn-apikey"); key != "" {
		user, ok := e.opts.APIKeys[key]
		return user, ok
	}
	if user, pass, ok := r.BasicAuth(); ok {
		return user, e.checkPassword(user, pass)
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		e.mu.Lock()
		defer e.mu.Unlock()
		t, ok := e.tokens[tok]
		if !ok || t.refresh || !e.opts.Now().Before(t.expires) {
			return "", false
		}
		return t.user, true
	}
	return "", false
}

// checkPassword accepts any non-empty user when no credentials are
// configured (the permissive default for local development).
func (e *Emulator) checkPassword(user, pass string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.creds) == 0 {
		return user != ""
	}
	want, ok := e.creds[user]
	return ok && subtle.ConstantTimeCompare([]byte(want), []byte(pass)) == 1
}

func (e *Emulator) checkClient(id, secret string) bool {
	if e.opts.ClientID == "" {
		return true
	}
	return id == e.opts.ClientID && subtle.ConstantTimeCompare([]byte(secret), []byte(e.opts.ClientSecret)) == 1
}

// serveToken is the fake /oauth_token.do: grant types password,
// client_credentials and refresh_token, form-encoded, with the platform's
// token response shape.
func (e *Emulator) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "Method not Supported", nil)
		return
	}
	if err := r.ParseForm(); err != nil {
		writeJSON(w, r, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": err.Error()})
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok && id == "" {
		id, secret = u, p
	}
	denied := map[string]string{"error_description": "access_denied", "error": "server_error"}
	if !e.checkClient(id, secret) {
		writeJSON(w, r, http.StatusUnauthorized, denied)
		return
	}
	var user string
	switch r.PostForm.Get("grant_type") {
	case "password":
		user = r.PostForm.Get("username")
		if !e.checkPassword(user, r.PostForm.Get("password")) {
			writeJSON(w, r, http.StatusUnauthorized, denied)
			return
		}
	case "client_credentials":
		if e.opts.ClientID == "" {
			writeJSON(w, r, http.StatusUnauthorized, denied)
			return
		}
		user = e.opts.ClientUser
	case "refresh_token":
		e.mu.Lock()
		t, ok := e.tokens[r.PostForm.Get("refresh_token")]
		e.mu.Unlock()
		if !ok || !t.refresh {
			writeJSON(w, r, http.StatusUnauthorized, denied)
			return
		}
		user = t.user
	default:
		writeJSON(w, r, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "unsupported grant_type"})
		return
	}
	access, refresh := newSysID(), newSysID()
	now := e.opts.Now()
	e.mu.Lock()
	e.tokens[access] = token{user: user, expires: now.Add(e.opts.TokenTTL)}
	e.tokens[refresh] = token{user: user, expires: now.Add(100 * 24 * time.Hour), refresh: true}
	e.mu.Unlock()
	writeJSON(w, r, http.StatusOK, map[string]any{
		"access_token":  access,
		"refresh_token": refresh,
		"scope":         "useraccount",
		"token_type":    "Bearer",
		"expires_in":    int(e.opts.TokenTTL / time.Second),
	})
}
