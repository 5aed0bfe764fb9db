package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/server"
)

const sessionCookie = "cardflow_session"

// session is one browser's login. It keeps the digest of the token it was
// opened with, never the principal that token had then: each request asks
// the Authenticator again, so that a revoked token ends the session and a
// changed role applies to it at once.
type session struct {
	token   TokenDigest
	expires time.Time
	// csrf is the form token of this session: a replay form carries it,
	// so that another site cannot post one with the browser's cookie.
	csrf string
}

// sessions are the logins of this process. They end with it: a restart
// asks browsers to log in again, which is the price of keeping no secret
// on disk.
type sessions struct {
	mu  sync.Mutex
	ttl time.Duration
	now func() time.Time
	m   map[string]*session
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{ttl: ttl, now: now, m: map[string]*session{}}
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) start(token TokenDigest) (id string, se *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for k, v := range s.m { // few sessions: sweeping on login is enough
		if now.After(v.expires) {
			delete(s.m, k)
		}
	}
	id = randomToken()
	se = &session{token: token, expires: now.Add(s.ttl), csrf: randomToken()}
	s.m[id] = se
	return id, se
}

func (s *sessions) get(id string) (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.m[id]
	if !ok || s.now().After(se.expires) {
		delete(s.m, id)
		return nil, false
	}
	return se, true
}

func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// request is what a page handler gets: who asks, and their session's form
// token ("" for bearer requests, which need none).
type request struct {
	*http.Request
	who Principal
	// token is the digest of the token who was authenticated with.
	token TokenDigest
	csrf  string
}

type pageFunc func(w http.ResponseWriter, r *request)

// authed lets a request through when it carries an admin token or a
// session cookie whose token is valid now; a browser without either is
// sent to the login page.
func (c *Console) authed(h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.opts.Auth == nil {
			// Open only to this machine: a page elsewhere that rebinds its
			// own name to 127.0.0.1 sends its own name as Host.
			if !server.LoopbackHost(r.Host) {
				http.Error(w, "this console is open to loopback addresses only", http.StatusForbidden)
				return
			}
			h(w, &request{Request: r, who: Principal{Name: "local", Role: RoleOperate}, csrf: c.openCSRF})
			return
		}
		if tok, bearer := server.BearerToken(r); bearer {
			// Malformed Bearer credentials are refused as a wrong token is.
			if tok != "" {
				d := DigestOf(tok)
				if p, ok := c.opts.Auth.Authenticate(d); ok {
					h(w, &request{Request: r, who: p, token: d})
					return
				}
			}
			c.unauthorized(w, r, "invalid token")
			return
		}
		if ck, err := r.Cookie(sessionCookie); err == nil {
			if se, ok := c.sessions.get(ck.Value); ok {
				if p, ok := c.opts.Auth.Authenticate(se.token); ok {
					h(w, &request{Request: r, who: p, token: se.token, csrf: se.csrf})
					return
				}
				// The token was revoked: so is every session opened with it.
				c.sessions.end(ck.Value)
				c.opts.Logger.Info("console session ended: its token is no longer valid", "remote", r.RemoteAddr)
			}
		}
		if r.Method != http.MethodGet || r.URL.Path == c.opts.Prefix+"/live" {
			c.unauthorized(w, r, "log in first")
			return
		}
		http.Redirect(w, r, c.opts.Prefix+"/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	})
}

// unauthorized answers 401 to a request that proves nobody.
func (c *Console) unauthorized(w http.ResponseWriter, r *http.Request, msg string) {
	c.rejected(r, http.StatusUnauthorized, msg)
	http.Error(w, msg, http.StatusUnauthorized)
}

// rejected logs and counts a refused request as the admin surface does
// ("request rejected", cardflow_requests_rejected_total), under the
// console's route: failed authentication is what alerts watch for. The
// token itself is never logged.
func (c *Console) rejected(r *http.Request, status int, reason string) {
	if c.opts.Observer != nil {
		c.opts.Observer.Rejected(c.opts.Prefix, status)
	}
	c.opts.Logger.Warn("request rejected", "path", r.URL.Path, "status", status, "reason", reason, "remote", r.RemoteAddr)
}

// stillValid reports whether the token a request was authenticated with
// is still valid, for a response that lasts (a live page's stream).
func (c *Console) stillValid(r *request) bool {
	if c.opts.Auth == nil {
		return true
	}
	_, ok := c.opts.Auth.Authenticate(r.token)
	return ok
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, http.StatusOK, "login", map[string]any{"Next": c.safeNext(r.URL.Query().Get("next"))})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	next := c.safeNext(r.PostFormValue("next"))
	if c.opts.Auth == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	d := DigestOf(strings.TrimSpace(r.PostFormValue("token")))
	p, ok := c.opts.Auth.Authenticate(d)
	if !ok {
		c.rejected(r, http.StatusUnauthorized, "console login with a token that is not valid")
		c.render(w, http.StatusUnauthorized, "login", map[string]any{"Next": next, "Error": "That token is not valid."})
		return
	}
	id, _ := c.sessions.start(d)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: c.opts.Prefix + "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: int(c.opts.SessionTTL.Seconds()),
	})
	c.opts.Logger.Info("console login", "who", p.Name, "role", p.Role)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		c.sessions.end(ck.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: c.opts.Prefix + "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, c.opts.Prefix+"/login", http.StatusSeeOther)
}

// safeNext keeps a post-login redirect inside the console.
func (c *Console) safeNext(next string) string {
	if strings.HasPrefix(next, c.opts.Prefix+"/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return c.opts.Prefix + "/"
}

// checkForm reports whether a state-changing form carries the session's
// form token (bearer requests need none: a browser does not add them).
func checkForm(r *request) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if u, err := url.Parse(o); err != nil || u.Host != r.Host {
			return false
		}
	}
	if r.csrf == "" {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(r.csrf)) == 1
}
