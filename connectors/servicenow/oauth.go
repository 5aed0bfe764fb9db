package servicenow

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/cardflow/cardflow/engine/connector"
)

// tokenSource fetches OAuth access tokens from the instance's
// /oauth_token.do with golang.org/x/oauth2 and reuses each until shortly
// before it expires (oauth2.ReuseTokenSource). It uses the password grant
// when the connection has a username and password, the client_credentials
// grant otherwise. ServiceNow's documented request carries client_id and
// client_secret in the form, so they are sent there (AuthStyleInParams)
// rather than probed for with a Basic header first.
type tokenSource struct {
	fetch oauth2.TokenSource // one grant per call
	// ctx is what the library's fetches run under: it carries the HTTP
	// client and ends with the connection (close), since
	// oauth2.TokenSource.Token takes no context of its own.
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	reuse  oauth2.TokenSource // the caching source, replaced by invalidate
	latest string             // the access token reuse handed out last
}

// newTokenSource builds c's token source. It does no network I/O.
func newTokenSource(c *Client, clientID, clientSecret string) *tokenSource {
	hc := &http.Client{Transport: limitedTransport{c}, Timeout: c.hc.Timeout, CheckRedirect: sameHost}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), oauth2.HTTPClient, hc))
	tokenURL := c.base.String() + "/oauth_token.do"
	var grant oauth2.TokenSource
	if c.username != "" && c.password != "" {
		cfg := &oauth2.Config{ClientID: clientID, ClientSecret: clientSecret,
			Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
		grant = passwordGrant{ctx: ctx, cfg: cfg, username: c.username, password: c.password}
	} else {
		cfg := &clientcredentials.Config{ClientID: clientID, ClientSecret: clientSecret,
			TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}
		grant = clientGrant{ctx: ctx, cfg: cfg}
	}
	ts := &tokenSource{fetch: early{grant}, ctx: ctx, cancel: cancel}
	ts.reuse = ts.newReuse()
	return ts
}

// newReuse wraps fetch in a fresh cache. early has already moved each
// token's expiry forward by its refresh margin, so the library's own
// margin is made negligible.
func (ts *tokenSource) newReuse() oauth2.TokenSource {
	return oauth2.ReuseTokenSourceWithExpiry(nil, ts.fetch, time.Nanosecond)
}

// get returns a valid access token, fetching one if needed. Concurrent
// callers wait for one fetch (ReuseTokenSource holds its lock while it
// fetches).
func (ts *tokenSource) get(ctx context.Context, op string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", &connector.Error{Kind: connector.Transient, Op: op, Message: "OAuth token request failed", Err: err}
	}
	ts.mu.Lock()
	reuse := ts.reuse
	ts.mu.Unlock()
	tok, err := reuse.Token()
	if err != nil {
		return "", tokenError(op, err)
	}
	ts.mu.Lock()
	if ts.reuse == reuse {
		ts.latest = tok.AccessToken
	}
	ts.mu.Unlock()
	return tok.AccessToken, nil
}

// invalidate forgets token after the instance refused it, unless another
// request already replaced it: the next get fetches a new one.
func (ts *tokenSource) invalidate(token string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.latest == token {
		ts.reuse, ts.latest = ts.newReuse(), ""
	}
}

// close ends a fetch still under way when the connection closes.
func (ts *tokenSource) close() { ts.cancel() }

// passwordGrant is the resource-owner password grant, one token per call.
// The library's password grant returns a token, not a source; a new grant
// (rather than the refresh token) is what the connector has always used to
// replace an expired or refused token.
type passwordGrant struct {
	ctx                context.Context
	cfg                *oauth2.Config
	username, password string
}

func (g passwordGrant) Token() (*oauth2.Token, error) {
	return g.cfg.PasswordCredentialsToken(g.ctx, g.username, g.password)
}

// clientGrant is the client_credentials grant, one token per call.
// Config.TokenSource would cache the token itself, out of invalidate's
// reach; Config.Token fetches a new one.
type clientGrant struct {
	ctx context.Context
	cfg *clientcredentials.Config
}

func (g clientGrant) Token() (*oauth2.Token, error) { return g.cfg.Token(g.ctx) }

// defaultLifetime is ServiceNow's access token lifetime, assumed when the
// answer has no expires_in.
const defaultLifetime = 1799 * time.Second

// early moves each token's expiry forward by refreshMargin, so a token is
// replaced shortly before the instance stops accepting it.
type early struct{ src oauth2.TokenSource }

func (e early) Token() (*oauth2.Token, error) {
	tok, err := e.src.Token()
	if err != nil {
		return nil, err
	}
	lifetime := defaultLifetime
	if !tok.Expiry.IsZero() {
		lifetime = time.Until(tok.Expiry)
	}
	tok.Expiry = time.Now().Add(lifetime - refreshMargin(lifetime))
	return tok, nil
}

// refreshMargin is how long before its expiry a token is replaced.
func refreshMargin(lifetime time.Duration) time.Duration {
	return min(time.Minute, lifetime/10)
}

// limitedTransport sends token requests through the connection's rate
// limiter and keep-alive transport, as every Table API call is.
type limitedTransport struct{ c *Client }

func (t limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.c.limiter.Wait(req.Context()); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &rateWait{err}
	}
	return t.c.transport.RoundTrip(req)
}

// rateWait is a request that never left because the wait for the rate
// limiter ended.
type rateWait struct{ err error }

func (w *rateWait) Error() string { return w.err.Error() }
func (w *rateWait) Unwrap() error { return w.err }

// tokenError maps the library's errors to the connector's kinds: a refused
// client or grant (400, 401) is Permission, since the connection's
// credentials are wrong, not the flow; other answers by status; no answer
// at all is Transient. The messages carry the instance's answer, never the
// form that was sent.
func tokenError(op string, err error) error {
	var re *oauth2.RetrieveError
	var rw *rateWait
	var ue *url.Error
	switch {
	case errors.As(err, &re) && re.Response != nil:
		status := re.Response.StatusCode
		if status >= 200 && status <= 299 {
			return &connector.Error{Kind: connector.Transient, Op: op, Status: status, Message: "OAuth token answer was not a token: " + err.Error()}
		}
		e := apiError(op, status, re.Response.Header, re.Body)
		if re.ErrorCode != "" {
			e.Message = strings.TrimSpace(re.ErrorCode + ": " + re.ErrorDescription)
		}
		if status == http.StatusBadRequest || status == http.StatusUnauthorized {
			// invalid_client, invalid_grant: wrong credentials, not a bad flow.
			e.Kind = connector.Permission
		}
		e.Message = "OAuth token request failed: " + e.Message
		return e
	case errors.As(err, &rw):
		return &connector.Error{Kind: connector.Transient, Op: op, Message: "waiting for the connection's rate limit", Err: rw.err}
	case errors.As(err, &ue):
		return transportError(op, err)
	}
	// A 2xx answer without access_token, or not JSON.
	return &connector.Error{Kind: connector.Transient, Op: op, Message: "OAuth token answer was not a token", Err: err}
}
