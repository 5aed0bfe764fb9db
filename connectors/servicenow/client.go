package servicenow

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	"golang.org/x/time/rate"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/jsonw"
)

// maxBody caps how much of a response the client reads.
const maxBody = 64 << 20

// Client is a provisioned ServiceNow connection: the instance URL, its
// credentials, a rate limiter and an HTTP transport whose keep-alive
// connections all of the connection's cards share.
type Client struct {
	base      *url.URL
	username  string
	password  string
	basic     string // the Authorization header of username and password
	apiKey    string
	oauth     *tokenSource
	transport *http.Transport
	hc        *http.Client
	limiter   *rate.Limiter
	// creates remembers creates whose answer was lost (ambiguous.go).
	creates ambiguousCreates
}

var _ connector.Client = (*Client)(nil)

// Open provisions a connection from its evaluated config. It does no network
// I/O: OAuth tokens are fetched on the first request. A failure is kind
// Invalid: the connection block needs fixing, and no retry helps.
func Open(cfg cty.Value) (*Client, error) {
	c, err := open(cfg)
	if err != nil {
		return nil, &connector.Error{Kind: connector.Invalid, Op: Name + ".open", Err: err}
	}
	return c, nil
}

func open(cfg cty.Value) (*Client, error) {
	base, err := parseInstanceURL(connector.String(cfg, "instance_url"))
	if err != nil {
		return nil, err
	}
	timeout, err := parseDuration(connector.Attr(cfg, "timeout"), "timeout")
	if err != nil {
		return nil, err
	}
	if timeout == 0 {
		timeout, _ = time.ParseDuration(defaultTimeout)
	}
	ambiguousWait, err := parseDuration(connector.Attr(cfg, "ambiguous_create_wait"), "ambiguous_create_wait")
	if err != nil {
		return nil, err
	}
	if ambiguousWait == 0 {
		ambiguousWait, _ = time.ParseDuration(defaultAmbiguous)
	}
	perSecond := float64(defaultRateLimit)
	if v := connector.Attr(cfg, "rate_limit"); known(v) && v.Type() == cty.Number {
		perSecond, _ = v.AsBigFloat().Float64()
	}
	if perSecond <= 0 {
		return nil, fmt.Errorf("rate_limit must be greater than zero")
	}
	// Keep-alive connections for as many calls as cardflow run's default
	// number of workers makes at once; fewer made the extra calls dial (and
	// close) a connection each under load.
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	c := &Client{
		base:      base,
		username:  connector.String(cfg, "username"),
		password:  connector.String(cfg, "password"),
		apiKey:    connector.String(cfg, "api_key"),
		transport: t,
		hc:        &http.Client{Transport: t, Timeout: timeout, CheckRedirect: sameHost},
		limiter:   rate.NewLimiter(rate.Limit(perSecond), int(math.Max(1, math.Ceil(perSecond)))),
		creates:   ambiguousCreates{wait: ambiguousWait},
	}
	if c.username != "" || c.password != "" {
		c.basic = "Basic " + base64.StdEncoding.EncodeToString([]byte(c.username+":"+c.password))
	}
	if id, secret := connector.String(cfg, "client_id"), connector.String(cfg, "client_secret"); id != "" || secret != "" {
		c.oauth = newTokenSource(c, id, secret)
	}
	return c, nil
}

// sameHost follows redirects only within the instance's host: Go drops
// Authorization on a cross-host redirect but would forward x-sn-apikey.
func sameHost(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 || req.URL.Host != via[0].URL.Host {
		return http.ErrUseLastResponse
	}
	return nil
}

// Close releases the connection's idle keep-alive connections.
func (c *Client) Close() error {
	if c.oauth != nil {
		c.oauth.close()
	}
	c.transport.CloseIdleConnections()
	return nil
}

// request is one Table API call.
type request struct {
	op     string // "servicenow.read_record"
	method string
	path   string // relative to the instance; ignored when url is set
	url    string // absolute URL (a Link header's next page)
	query  url.Values
	body   any // encoded as JSON when not nil
	header http.Header
}

// response is a successful (2xx) answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// send performs r and returns its 2xx response, or an *connector.Error.
// Under OAuth a 401 fetches a new token and repeats the request once.
func (c *Client) send(ctx context.Context, r *request) (*response, error) {
	var body []byte
	if r.body != nil {
		b, err := encodeBody(r.body)
		if err != nil {
			return nil, &connector.Error{Kind: connector.Invalid, Op: r.op, Message: "cannot encode the request body", Err: err}
		}
		body = b
	}
	resp, token, err := c.attempt(ctx, r, body)
	if err == nil && resp.status == http.StatusUnauthorized && c.oauth != nil {
		c.oauth.invalidate(token)
		resp, _, err = c.attempt(ctx, r, body)
	}
	if err != nil {
		return nil, err
	}
	if resp.status < 200 || resp.status > 299 {
		return nil, apiError(r.op, resp.status, resp.header, resp.body)
	}
	return resp, nil
}

// attempt sends r once. It returns the bearer token it used, if any.
func (c *Client) attempt(ctx context.Context, r *request, body []byte) (*response, string, error) {
	u, err := c.target(r)
	if err != nil {
		return nil, "", &connector.Error{Kind: connector.Invalid, Op: r.op, Message: err.Error()}
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, rd)
	if err != nil {
		return nil, "", &connector.Error{Kind: connector.Invalid, Op: r.op, Message: err.Error()}
	}
	// The header is made whole, its keys canonical already, rather than
	// by Set after Set on the empty one NewRequest made.
	req.Header = make(http.Header, 4+len(r.header))
	req.Header["Accept"] = jsonType
	req.Header["User-Agent"] = userAgent
	if body != nil || (r.method != http.MethodGet && r.method != http.MethodHead) {
		// The Table API wants Content-Type on POST, PUT, PATCH and DELETE.
		req.Header["Content-Type"] = jsonType
	}
	for k, vs := range r.header { // api_call's own headers; credentials are set below
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	token, err := c.authorize(ctx, req, r.op)
	if err != nil {
		return nil, "", err
	}
	resp, err := c.roundTrip(ctx, req, r.op)
	return resp, token, err
}

// roundTrip waits for the rate limiter, sends req and reads the answer.
func (c *Client) roundTrip(ctx context.Context, req *http.Request, op string) (*response, error) {
	if err := c.limiter.Wait(ctx); err != nil {
		return nil, &connector.Error{Kind: connector.Transient, Op: op, Message: "waiting for the connection's rate limit", Err: err}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, transportError(op, lost(err))
	}
	defer resp.Body.Close()
	b, err := readBody(resp)
	if err != nil {
		return nil, transportError(op, &lostAnswer{err})
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// jsonType and userAgent are header values every request has; net/http
// only reads them.
var (
	jsonType  = []string{"application/json"}
	userAgent = []string{"cardflow-servicenow"}
)

// readBody reads up to maxBody bytes of resp's body as io.ReadAll does,
// into a buffer of its Content-Length when it has one: a record's answer
// is a few KB, which grown from io.ReadAll's 512 bytes was copied five
// times.
func readBody(resp *http.Response) ([]byte, error) {
	size := int64(512)
	if n := resp.ContentLength; n >= 0 && n < maxBody {
		size = n + 1 // one more byte, to read the end without growing
	}
	r := io.LimitReader(resp.Body, maxBody)
	b := make([]byte, 0, size)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// authorize sets the request's credentials and returns the bearer token.
func (c *Client) authorize(ctx context.Context, req *http.Request, op string) (string, error) {
	switch {
	case c.oauth != nil:
		tok, err := c.oauth.get(ctx, op)
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		return tok, nil
	case c.apiKey != "":
		req.Header.Set("x-sn-apikey", c.apiKey)
	case c.basic != "":
		req.Header["Authorization"] = []string{c.basic}
	default:
		return "", &connector.Error{Kind: connector.Permission, Op: op,
			Message: "the connection has no credentials: set username and password, client_id and client_secret, or api_key"}
	}
	return "", nil
}

// target returns the absolute URL of r. A next-page link is kept on the
// instance's scheme and host, so credentials never travel elsewhere.
func (c *Client) target(r *request) (string, error) {
	if r.url != "" {
		u, err := c.base.Parse(r.url)
		if err != nil {
			return "", fmt.Errorf("bad next-page link %q: %v", r.url, err)
		}
		u.Scheme, u.Host, u.User = c.base.Scheme, c.base.Host, nil
		return u.String(), nil
	}
	u, err := url.Parse(c.base.String() + r.path)
	if err != nil {
		return "", fmt.Errorf("bad path %q: %v", r.path, err)
	}
	if len(r.query) > 0 {
		q := u.Query()
		for k, vs := range r.query {
			q[k] = append(q[k], vs...)
		}
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// tablePath is /api/now/table/<table>[/<sys_id>].
func tablePath(table string, sysID ...string) string {
	p := "/api/now/table/" + url.PathEscape(table)
	for _, s := range sysID {
		p += "/" + url.PathEscape(s)
	}
	return p
}

// transportError classifies a failure to get an answer at all.
func transportError(op string, err error) error {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
		return &connector.Error{Kind: connector.Invalid, Op: op, Message: "the instance's TLS certificate is not trusted", Err: connector.WithoutURLQuery(err)}
	}
	// Timeouts, refused and reset connections, EOFs: all worth a retry.
	return &connector.Error{Kind: connector.Transient, Op: op, Message: "request failed", Err: connector.WithoutURLQuery(err)}
}

// envelope is ServiceNow's error body: {"error":{"message","detail"},"status":"failure"}.
type envelope struct {
	Error *struct {
		Message string `json:"message"`
		Detail  any    `json:"detail"`
	} `json:"error"`
}

// apiError turns a non-2xx answer into a *connector.Error.
func apiError(op string, status int, h http.Header, body []byte) *connector.Error {
	e := &connector.Error{Kind: connector.HTTPKind(status), Op: op, Status: status}
	msg, detail := errorText(body)
	switch {
	case msg != "" && detail != "":
		e.Message = msg + ": " + detail
	case msg != "" || detail != "":
		e.Message = msg + detail
	default:
		e.Message = http.StatusText(status)
	}
	if status >= 300 && status < 400 {
		e.Message = fmt.Sprintf("redirected to %q; check instance_url (redirects off the instance are not followed)", connector.URLForError(h.Get("Location")))
	}
	if status == http.StatusForbidden && strings.Contains(detail, "Data Policy Exception") {
		e.Kind = connector.Invalid
		e.Message = dataPolicyMessage(detail)
	}
	switch status {
	case http.StatusTooManyRequests:
		e.RetryAt = retryAt(h, time.Now())
	case http.StatusServiceUnavailable:
		// A 503 may say when to come back (Retry-After), but the rate-limit
		// window's reset says nothing about when the outage ends: without
		// Retry-After it backs off on the retry policy's schedule.
		if h.Get("Retry-After") != "" {
			e.RetryAt = retryAt(http.Header{"Retry-After": h.Values("Retry-After")}, time.Now())
		}
	}
	return e
}

func errorText(body []byte) (msg, detail string) {
	var env envelope
	if json.Unmarshal(body, &env) != nil || env.Error == nil {
		return "", strings.TrimSpace(string(truncate(body, 300)))
	}
	switch d := env.Error.Detail.(type) {
	case string:
		detail = d
	case nil:
	default:
		b, _ := json.Marshal(d)
		detail = string(b)
	}
	return strings.TrimSpace(env.Error.Message), strings.TrimSpace(detail)
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// dataPolicyMessage rewrites "Data Policy Exception: The following fields
// are mandatory: Resolution code, Close notes" into advice.
func dataPolicyMessage(detail string) string {
	fields := ""
	if _, after, ok := strings.Cut(detail, "mandatory:"); ok {
		fields = strings.TrimSpace(after)
	}
	if fields == "" {
		return "ServiceNow data policy rejected the write: " + strings.Join(strings.Fields(detail), " ")
	}
	return "ServiceNow data policy rejected the write: the fields " + fields +
		" are mandatory. Resolving or closing an incident needs close_code (Resolution code) and close_notes (Resolution notes) in the same request; " +
		"an unknown close_code is dropped silently by ServiceNow and trips this policy too"
}

// retryAt reads Retry-After (seconds or an HTTP date) or X-RateLimit-Reset
// (Unix seconds).
func retryAt(h http.Header, now time.Time) time.Time {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			return now.Add(time.Duration(s * float64(time.Second)))
		}
		if t, err := http.ParseTime(v); err == nil {
			return t
		}
	}
	for _, name := range []string{"X-RateLimit-Reset", "X-Rate-Limit-Reset"} {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			if s, err := strconv.ParseInt(v, 10, 64); err == nil && s > 0 {
				return time.Unix(s, 0)
			}
		}
	}
	return time.Time{}
}

// page is one page of a list answer.
type page struct {
	rows  []map[string]any
	next  string // the Link header's rel="next", "" on the last page
	total int    // X-Total-Count, -1 when absent
}

// list performs a GET that answers {"result": [...]}.
func (c *Client) list(ctx context.Context, r *request) (*page, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	var env struct {
		Result []map[string]any `json:"result"`
	}
	if err := decodeJSON(resp.body, &env); err != nil {
		return nil, notJSON(r.op, resp, err)
	}
	p := &page{rows: env.Result, next: nextLink(resp.header.Values("Link")), total: -1}
	if n, err := strconv.Atoi(resp.header.Get("X-Total-Count")); err == nil {
		p.total = n
	}
	return p, nil
}

// record performs a request that answers {"result": {...}} and returns
// the record's values (decodeRecord).
func (c *Client) record(ctx context.Context, r *request) (map[string]string, error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	rec, ok, err := decodeRecord(resp.body)
	if err != nil || !ok {
		return nil, notJSON(r.op, resp, err)
	}
	return rec, nil
}

// notJSON reports a 2xx answer that is not the Table API's JSON: a proxy,
// a login page or a wrong instance_url. Retrying would not help.
func notJSON(op string, resp *response, err error) error {
	return &connector.Error{Kind: connector.Other, Op: op, Status: resp.status, Err: err,
		Message: fmt.Sprintf("the answer is not a Table API result (Content-Type %q, body %q); check instance_url",
			resp.header.Get("Content-Type"), truncate(resp.body, 120))}
}

func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// nextLink finds rel="next" in Link headers. URLs may contain commas
// (sysparm_fields=a,b), so entries are split on their <...> brackets.
func nextLink(headers []string) string {
	for _, h := range headers {
		for h != "" {
			start := strings.IndexByte(h, '<')
			if start < 0 {
				break
			}
			end := strings.IndexByte(h[start:], '>')
			if end < 0 {
				break
			}
			target := h[start+1 : start+end]
			rest := h[start+end+1:]
			params := rest
			if i := strings.IndexByte(rest, '<'); i >= 0 {
				params = rest[:i]
			}
			for _, p := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(strings.TrimSpace(k), "rel") && strings.Trim(strings.TrimSpace(v), `",`) == "next" {
					return target
				}
			}
			h = rest
		}
	}
	return ""
}

// encodeBody encodes a request body. The fields of a write (a map of
// strings) are written by hand, byte for byte as encoding/json writes
// them (keys sorted, jsonw's escaping), without its reflection. A []byte
// is api_call's text body, sent as it is.
func encodeBody(body any) ([]byte, error) {
	if b, ok := body.([]byte); ok {
		return b, nil
	}
	m, ok := body.(map[string]string)
	if !ok || m == nil {
		return json.Marshal(body)
	}
	keys := make([]string, 0, len(m))
	size := 2
	for k, v := range m {
		keys = append(keys, k)
		size += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	b := make([]byte, 0, size)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.AppendString(b, k)
		b = append(b, ':')
		b = jsonw.AppendString(b, m[k])
	}
	return append(b, '}'), nil
}
