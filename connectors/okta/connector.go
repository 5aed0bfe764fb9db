package okta

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/net/http/httpguts"
	"golang.org/x/time/rate"

	"github.com/cardflow/cardflow/engine/connector"
)

// Name is the connector's name in flows: okta.read_user, connection "okta".
const Name = "okta"

const (
	defaultRequestTimeout = "30s"
	defaultRateLimit      = 10
	defaultHookHeader     = "Authorization"
)

var _ connector.Client = (*Client)(nil)

// New returns the Okta connector's descriptor.
func New() *connector.Connector {
	return &connector.Connector{
		Name:       Name,
		Doc:        "Okta users, groups, apps and lifecycle; event hooks and System Log polling.",
		Connection: connectionSchema(),
		Open:       Open,
		Actions: withStatusLint([]*connector.Action{
			readUserAction(),
			searchUsersAction(),
			updateUserProfileAction(),
			listUserGroupsAction(),
			addUserToGroupAction(),
			removeUserFromGroupAction(),
			assignUserToAppAction(),
			removeUserFromAppAction(),
			activateUserAction(),
			deactivateUserAction(),
			suspendUserAction(),
			unsuspendUserAction(),
			createUserAction(),
			updateUserAction(),
			replaceUserAction(),
			deleteUserAction(),
			resetPasswordAction(),
			expirePasswordAction(),
			clearUserSessionsAction(),
			unlockUserAction(),
			resetFactorsAction(),
			listUserAppsAction(),
			readGroupAction(),
			searchGroupsAction(),
			createGroupAction(),
			updateGroupAction(),
			deleteGroupAction(),
			listGroupMembersAction(),
			readAppAction(),
			searchAppsAction(),
			listAppUsersAction(),
			listAppGroupsAction(),
			assignGroupToAppAction(),
			removeGroupFromAppAction(),
			searchSystemLogAction(),
			apiCallAction(),
		}),
		Triggers: []*connector.Trigger{
			eventHookTrigger(),
			systemLogTrigger(),
		},
		Webhook: &connector.Webhook{Receive: receiveEventHook, Authenticate: authenticateHook,
			Sync: syncHook, Check: checkHookNotices},
		CheckCredentials: checkToken,
	}
}

func connectionSchema() connector.Schema {
	return connector.Schema{
		{Name: "org_url", Type: cty.String, Required: true, Check: checkOrgURL, Pins: true,
			Doc: "The org's base URL, e.g. https://acme.okta.com. Plain http only for loopback hosts (emulators). " +
				"Executions stay with the org they started in: after a change of org_url, those begun before it are not resumed or replayed."},
		{Name: "token", Type: cty.String, Sensitive: true,
			Doc: "An SSWS API token. Set either token or client_id."},
		{Name: "client_id", Type: cty.String,
			Doc: "Client id of an OAuth 2.0 service app (private_key_jwt). Set either token or client_id."},
		{Name: "private_key", Type: cty.String, Sensitive: true,
			Doc: "PEM RSA private key of the service app (PKCS#1 or PKCS#8)."},
		{Name: "private_key_id", Type: cty.String,
			Doc: "Key id (kid) of private_key as registered in Okta."},
		{Name: "scopes", Type: cty.List(cty.String),
			Doc: "OAuth scopes to request, e.g. [\"okta.users.manage\", \"okta.groups.manage\"]."},
		{Name: "request_timeout", Type: cty.String, Default: cty.StringVal(defaultRequestTimeout), Check: checkDuration,
			Doc: "Timeout of one HTTP request (a Go duration)."},
		{Name: "rate_limit", Type: cty.Number, Default: cty.NumberIntVal(defaultRateLimit), Check: checkRateLimit,
			Doc: "Requests per second this connection sends at most; bursts up to one second's worth."},
		{Name: "event_hook_secret", Type: cty.String, Sensitive: true,
			Doc: "Value of the event hook's authentication header. Without it every delivery is refused."},
		{Name: "event_hook_header", Type: cty.String, Default: cty.StringVal(defaultHookHeader), Check: checkHeaderName,
			Doc: "Name of the header carrying event_hook_secret (the hook's authScheme key)."},
		{Name: "manage_event_hook", Type: cty.Bool, Default: cty.False,
			Doc: "When true, cardflow run creates or updates one event hook named cardflow-<connection>, subscribed to exactly " +
				"the event types the loaded flows use, and asks Okta to verify it. Needs public_url and event_hook_secret, " +
				"and a token allowed to manage event hooks (okta.eventHooks.manage)."},
		{Name: "public_url", Type: cty.String, Check: checkPublicURL,
			Doc: "The base URL at which Okta reaches cardflow's public listener, e.g. https://cardflow.acme.com; the hook's URL is <public_url>/hooks/okta/<connection>."},
	}
}

// Client is one provisioned Okta connection: an SDK client, its HTTP
// transport with the connection's rate limiter, and the event hook secret.
type Client struct {
	sdk        *okta.Client
	http       *http.Client
	orgURL     string
	hookSecret string
	hookHeader string
	manageHook bool
	publicURL  string
	hookWarned hookWarnings
}

// Close releases the connection's idle HTTP connections.
func (c *Client) Close() error {
	c.http.CloseIdleConnections()
	return nil
}

// settings are a connection block's values, validated.
type settings struct {
	orgURL       string
	loopbackHTTP bool
	token        string
	clientID     string
	privateKey   string
	privateKeyID string
	scopes       []string
	timeout      time.Duration
	rate         float64
	hookSecret   string
	hookHeader   string
	manageHook   bool
	publicURL    string
}

// Open provisions a connection. It validates cfg and builds the SDK client
// but sends no request: the SDK fetches OAuth tokens on first use.
func Open(cfg cty.Value) (connector.Client, error) {
	cfg, _ = cfg.UnmarkDeep()
	s, err := parseSettings(cfg)
	if err != nil {
		return nil, &connector.Error{Kind: connector.Invalid, Op: "okta.open", Err: err}
	}
	limiter := rate.NewLimiter(rate.Limit(s.rate), burst(s.rate))
	base := http.DefaultTransport.(*http.Transport).Clone()
	// The default keeps 2 idle connections per host: with more executions
	// than that calling the org at once, every extra request dialed a new
	// connection and closed it after (TIME_WAIT churn, a TCP handshake per
	// call). Keep as many as the engine runs executions by default.
	base.MaxIdleConnsPerHost = maxIdleConnsPerHost
	hc := &http.Client{Transport: &transport{next: base, limiter: limiter, timeout: s.timeout}}
	opts, err := sdkOptions(s, hc)
	if err != nil {
		return nil, &connector.Error{Kind: connector.Invalid, Op: "okta.open", Err: err}
	}
	_, sdk, err := okta.NewClient(context.Background(), opts...)
	if err != nil {
		return nil, &connector.Error{Kind: connector.Invalid, Op: "okta.open", Err: err}
	}
	return &Client{
		sdk:        sdk,
		http:       hc,
		orgURL:     s.orgURL,
		hookSecret: s.hookSecret,
		hookHeader: s.hookHeader,
		manageHook: s.manageHook,
		publicURL:  s.publicURL,
	}, nil
}

// maxIdleConnsPerHost is the keep-alive connections kept to the org: as
// many as cardflow run's default number of workers.
const maxIdleConnsPerHost = 64

func burst(r float64) int {
	return int(math.Max(1, math.Ceil(r)))
}

func parseSettings(cfg cty.Value) (*settings, error) {
	s := &settings{
		token:        connector.String(cfg, "token"),
		clientID:     connector.String(cfg, "client_id"),
		privateKey:   connector.String(cfg, "private_key"),
		privateKeyID: connector.String(cfg, "private_key_id"),
		scopes:       connector.Strings(cfg, "scopes"),
		hookSecret:   connector.String(cfg, "event_hook_secret"),
		hookHeader:   connector.String(cfg, "event_hook_header"),
		manageHook:   connector.Bool(cfg, "manage_event_hook", false),
	}
	var err error
	if raw := connector.String(cfg, "public_url"); raw != "" {
		if s.publicURL, err = parsePublicURL(raw); err != nil {
			return nil, err
		}
	}
	if s.manageHook && (s.publicURL == "" || s.hookSecret == "") {
		return nil, errors.New("manage_event_hook needs public_url (where Okta reaches cardflow) and event_hook_secret (the hook's secret)")
	}
	if s.orgURL, s.loopbackHTTP, err = parseOrgURL(connector.String(cfg, "org_url")); err != nil {
		return nil, err
	}
	if s.hookHeader == "" {
		s.hookHeader = defaultHookHeader
	}
	if !httpguts.ValidHeaderFieldName(s.hookHeader) {
		return nil, fmt.Errorf("event_hook_header %q is not an HTTP header name", s.hookHeader)
	}
	timeout := connector.String(cfg, "request_timeout")
	if timeout == "" {
		timeout = defaultRequestTimeout
	}
	if s.timeout, err = parseDuration(timeout); err != nil {
		return nil, fmt.Errorf("request_timeout: %w", err)
	}
	s.rate = defaultRateLimit
	if v := connector.Attr(cfg, "rate_limit"); !v.IsNull() && v.IsKnown() && v.Type() == cty.Number {
		s.rate, _ = v.AsBigFloat().Float64()
	}
	if s.rate <= 0 {
		return nil, errors.New("rate_limit must be a positive number of requests per second")
	}
	return s, s.checkAuth()
}

func (s *settings) checkAuth() error {
	switch {
	case s.token != "" && s.clientID != "":
		return errors.New("set either token (API token) or client_id (OAuth 2.0 service app), not both")
	case s.token == "" && s.clientID == "":
		return errors.New("set token (an SSWS API token) or client_id with private_key and scopes (an OAuth 2.0 service app)")
	case s.clientID != "" && s.privateKey == "":
		return errors.New("client_id needs private_key, the service app's PEM RSA private key")
	case s.clientID != "" && len(s.scopes) == 0:
		return errors.New("client_id needs scopes, e.g. [\"okta.users.manage\"]")
	}
	return nil
}

// sdkOptions sets every SDK option that ~/.okta/okta.yaml or OKTA_CLIENT_*
// variables could otherwise set behind the flow author's back.
func sdkOptions(s *settings, hc *http.Client) ([]okta.ConfigSetter, error) {
	opts := []okta.ConfigSetter{
		okta.WithOrgUrl(s.orgURL),
		okta.WithHttpClientPtr(hc),
		okta.WithCache(false),
		okta.WithRateLimitMaxRetries(0),
		okta.WithRateLimitMaxBackOff(0),
		okta.WithRequestTimeout(0), // the transport bounds each request
		okta.WithConnectionTimeout(int64(math.Ceil(s.timeout.Seconds()))),
		okta.WithTestingDisableHttpsCheck(s.loopbackHTTP),
		okta.WithUserAgentExtra("cardflow"),
		okta.WithClientAssertion(""),
		okta.WithPrivateKey(""),
		okta.WithPrivateKeyId(s.privateKeyID),
		okta.WithClientId(s.clientID),
		okta.WithScopes(s.scopes),
		okta.WithToken(s.token),
		okta.WithProxyHost(""), okta.WithProxyPort(0),
		okta.WithProxyUsername(""), okta.WithProxyPassword(""),
	}
	if s.token != "" {
		return append(opts, okta.WithAuthorizationMode("SSWS")), nil
	}
	pkcs1, err := rsaPKCS1PEM(s.privateKey)
	if err != nil {
		return nil, err
	}
	signer, err := okta.CreateKeySigner(pkcs1, s.privateKeyID)
	if err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	return append(opts, okta.WithAuthorizationMode("PrivateKey"), okta.WithPrivateKeySigner(signer)), nil
}

// rsaPKCS1PEM returns key as a PKCS#1 "RSA PRIVATE KEY" PEM block, the only
// form the SDK's signer accepts; Okta's console hands out PKCS#8 keys.
func rsaPKCS1PEM(key string) (string, error) {
	block, _ := pem.Decode([]byte(strings.ReplaceAll(key, `\n`, "\n")))
	if block == nil {
		return "", errors.New("private_key is not a PEM block")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return "", fmt.Errorf("private_key: %w", err)
		}
		return string(pem.EncodeToMemory(block)), nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return "", fmt.Errorf("private_key: %w", err)
		}
		rsaKey, ok := k.(*rsa.PrivateKey)
		if !ok {
			return "", errors.New("private_key must be an RSA key (the SDK signs with RS256)")
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)})), nil
	}
	return "", fmt.Errorf("private_key is a %q PEM block, want an RSA private key", block.Type)
}

// parseOrgURL checks an org URL and trims its trailing slashes (the SDK
// concatenates paths to it). Plain http is allowed for loopback hosts only.
func parseOrgURL(raw string) (string, bool, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", false, errors.New("org_url is required, e.g. https://acme.okta.com")
	}
	// Messages show the URL without user information and query, which
	// may hold a password or a key.
	shown := connector.URLForError(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return "", false, fmt.Errorf("org_url: %v", connector.URLParseError(raw, err))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", false, fmt.Errorf("org_url %q must be a plain base URL such as https://acme.okta.com, without user information, query or fragment", shown)
	}
	if u.Host == "" {
		return "", false, fmt.Errorf("org_url %q must be a plain base URL such as https://acme.okta.com", shown)
	}
	loopback := false
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", false, fmt.Errorf("org_url %q must use https (plain http is only allowed for 127.0.0.1, ::1 and localhost)", shown)
		}
		loopback = true
	default:
		return "", false, fmt.Errorf("org_url %q must start with https://", shown)
	}
	if strings.Contains(u.Host, "-admin.okta") {
		return "", false, fmt.Errorf("org_url %q is the admin console's URL; drop \"-admin\"", shown)
	}
	return strings.TrimRight(raw, "/"), loopback, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}

func checkOrgURL(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	_, _, err := parseOrgURL(v.AsString())
	return err
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as \"30s\" or \"2m\"", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive", s)
	}
	return d, nil
}

func checkDuration(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	_, err := parseDuration(v.AsString())
	return err
}

func checkRateLimit(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	if f, _ := v.AsBigFloat().Float64(); f <= 0 {
		return errors.New("rate_limit must be a positive number of requests per second")
	}
	return nil
}

func checkHeaderName(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	if !httpguts.ValidHeaderFieldName(v.AsString()) {
		return fmt.Errorf("event_hook_header %q is not an HTTP header name", v.AsString())
	}
	return nil
}
