package servicenow

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
)

// tokenSource fetches OAuth access tokens from the instance's
// /oauth_token.do and caches them until shortly before they expire. It uses
// the password grant when the connection has a username and password, the
// client_credentials grant otherwise.
type tokenSource struct {
	client       *Client
	clientID     string
	clientSecret string

	mu     sync.Mutex // held while fetching, so concurrent cards fetch once
	token  string
	expiry time.Time
}

// refreshMargin is how long before its expiry a token is replaced.
func refreshMargin(lifetime time.Duration) time.Duration {
	return min(time.Minute, lifetime/10)
}

// get returns a valid access token, fetching one if needed.
func (ts *tokenSource) get(ctx context.Context, op string) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.token != "" && time.Now().Before(ts.expiry) {
		return ts.token, nil
	}
	tok, lifetime, err := ts.fetch(ctx, op)
	if err != nil {
		return "", err
	}
	ts.token = tok
	ts.expiry = time.Now().Add(lifetime - refreshMargin(lifetime))
	return tok, nil
}

// invalidate forgets token after the instance refused it, unless another
// request already replaced it.
func (ts *tokenSource) invalidate(token string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.token == token {
		ts.token = ""
	}
}

// tokenAnswer is the token endpoint's JSON, success or OAuth error.
type tokenAnswer struct {
	AccessToken      string          `json:"access_token"`
	ExpiresIn        json.RawMessage `json:"expires_in"`
	Error            string          `json:"error"`
	ErrorDescription string          `json:"error_description"`
}

func (ts *tokenSource) fetch(ctx context.Context, op string) (string, time.Duration, error) {
	c := ts.client
	form := url.Values{"client_id": {ts.clientID}, "client_secret": {ts.clientSecret}}
	if c.username != "" && c.password != "" {
		form.Set("grant_type", "password")
		form.Set("username", c.username)
		form.Set("password", c.password)
	} else {
		form.Set("grant_type", "client_credentials")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base.String()+"/oauth_token.do", strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, &connector.Error{Kind: connector.Invalid, Op: op, Message: err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.roundTrip(ctx, req, op)
	if err != nil {
		return "", 0, err
	}
	var ans tokenAnswer
	_ = json.Unmarshal(resp.body, &ans)
	if resp.status != http.StatusOK || ans.AccessToken == "" {
		return "", 0, tokenError(op, resp, ans)
	}
	return ans.AccessToken, expiresIn(ans.ExpiresIn), nil
}

func tokenError(op string, resp *response, ans tokenAnswer) error {
	if resp.status == http.StatusOK {
		return &connector.Error{Kind: connector.Transient, Op: op, Status: resp.status, Message: "OAuth token answer without access_token"}
	}
	e := apiError(op, resp.status, resp.header, resp.body)
	if ans.Error != "" {
		e.Message = strings.TrimSpace(ans.Error + ": " + ans.ErrorDescription)
	}
	if resp.status == http.StatusBadRequest || resp.status == http.StatusUnauthorized {
		// invalid_client, invalid_grant: wrong credentials, not a bad flow.
		e.Kind = connector.Permission
	}
	e.Message = "OAuth token request failed: " + e.Message
	return e
}

// expiresIn reads expires_in, a number or (ServiceNow being ServiceNow) a
// string; 30 minutes, the platform default, when absent.
func expiresIn(raw json.RawMessage) time.Duration {
	s := strings.Trim(string(raw), `"`)
	if n, err := strconv.ParseFloat(s, 64); err == nil && n > 0 {
		return time.Duration(n * float64(time.Second))
	}
	return 1799 * time.Second
}
