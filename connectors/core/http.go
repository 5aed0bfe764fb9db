package core

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/zclconf/go-cty/cty"
)

// MaxBody caps inbound endpoint bodies and outbound response bodies.
const MaxBody = 1 << 20

var endpointOutput = cty.Object(map[string]cty.Type{
	"method":  cty.String,
	"headers": cty.Map(cty.String),
	"query":   cty.Map(cty.String),
	"body":    cty.DynamicPseudoType,
})

var responseOutput = cty.Object(map[string]cty.Type{
	"status":  cty.Number,
	"headers": cty.Map(cty.String),
	"body":    cty.DynamicPseudoType,
})

// HTTP is the http connector: outbound requests and the inbound endpoint.
func HTTP() *connector.Connector {
	client := &http.Client{Timeout: 30 * time.Second}
	return &connector.Connector{
		Name: "http",
		Doc:  "Plain HTTP: http.request calls any API; trigger \"http.endpoint\" lets a system push events (a ServiceNow business rule, a script).",
		Actions: []*connector.Action{{
			Name: "request",
			Doc:  "Sends an HTTP request. A JSON response body is parsed; others are text. The output is { status, headers, body }. Dry runs treat it as a write.",
			Input: connector.Schema{
				{Name: "method", Type: cty.String, Default: cty.StringVal("GET"), Doc: "The HTTP method, e.g. \"POST\"; it is upper-cased."},
				{Name: "url", Type: cty.String, Required: true, Doc: "An http:// or https:// URL; any other fails the card."},
				{Name: "headers", Type: cty.Map(cty.String), CredentialKeys: true, Doc: "Request headers. They are journaled: put credentials in secret_headers."},
				{Name: "secret_headers", Type: cty.Map(cty.String), Sensitive: true,
					Doc: "Headers carrying credentials (Authorization = \"Bearer ${env(\"API_TOKEN\")}\"). Redacted from the journal and logs; they win over headers."},
				{Name: "query", Type: cty.Map(cty.String), CredentialKeys: true,
					Doc: "Query parameters, added to those in url (replacing one of the same name). They are journaled: a credential in them (api_key) is redacted only when it is a secret, such as a sensitive variable's value."},
				{Name: "body", Type: cty.DynamicPseudoType,
					Doc: "A string is sent as it is (a form, JSON text); any other value is sent as JSON. Without a Content-Type in headers, " +
						"a string that is a JSON object or array goes as application/json, any other as text/plain; charset=utf-8."},
				followRedirectsAttr,
			},
			Output: responseOutput,
			Effect: connector.Write,
			Do: func(ctx context.Context, call *connector.Call) (cty.Value, error) {
				return doRequest(ctx, client, call.Input)
			},
		}},
		Triggers: []*connector.Trigger{{
			Name: "endpoint",
			Doc: "Runs the flow for each POST to /flows/<flow>/invoke. The caller authenticates with the client token in the " +
				"x-api-client-token header or the clientToken query parameter. An Idempotency-Key header dedups retries: a retry " +
				"runs nothing again and, with a reply, is answered with the first call's execution. With reply = \"result\" or " +
				"\"raw\" the caller waits for the flow's answer (Okta inline hooks, Okta Workflows' Return and Return Raw).",
			Mode: connector.Push,
			Config: append(connector.Schema{{Name: "token", Type: cty.String, Required: true, Sensitive: true, Doc: "The client token callers present."}},
				append(replyAttrs, sensitiveAttr)...),
			Output:       endpointOutput,
			IDField:      "the Idempotency-Key header",
			Invoke:       invokeEndpoint,
			Authenticate: authenticateEndpoint,
			Reply:        endpointReply,
			Sensitive:    endpointSensitive,
			Lint:         lintReply,
		}},
	}
}

// authenticateEndpoint checks the caller's client token: the
// x-api-client-token header, or the clientToken query parameter.
func authenticateEndpoint(cfg cty.Value, r *http.Request) error {
	want := connector.String(cfg, "token")
	got := r.Header.Get("X-Api-Client-Token")
	if got == "" {
		got = r.URL.Query().Get("clientToken")
	}
	// Compare digests so that the time taken does not reveal the length.
	gd, wd := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	if want == "" || subtle.ConstantTimeCompare(gd[:], wd[:]) != 1 {
		return &connector.Error{Kind: connector.Permission, Status: http.StatusUnauthorized, Message: "missing or wrong client token"}
	}
	return nil
}

func invokeEndpoint(cfg cty.Value, r *http.Request) ([]connector.Event, error) {
	if err := authenticateEndpoint(cfg, r); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &connector.Error{Kind: connector.Invalid, Status: http.StatusRequestEntityTooLarge, Message: "body over 1 MiB"}
		}
		return nil, &connector.Error{Kind: connector.Invalid, Status: http.StatusBadRequest, Message: err.Error()}
	}
	if !utf8.Valid(body) {
		// Decoding would replace the bad bytes with U+FFFD: the flow would
		// see other text than was sent.
		return nil, &connector.Error{Kind: connector.Invalid, Status: http.StatusBadRequest, Message: "trigger.body is not valid UTF-8"}
	}
	var parsed any = string(body)
	if len(body) > 0 && strings.Contains(r.Header.Get("Content-Type"), "json") {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&parsed); err != nil {
			return nil, &connector.Error{Kind: connector.Invalid, Status: http.StatusBadRequest, Message: "body is not JSON: " + err.Error()}
		}
	}
	headers := map[string]any{}
	for k, v := range r.Header {
		if secretHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	query := map[string]any{}
	for k, v := range r.URL.Query() {
		if k != "clientToken" {
			query[k] = strings.Join(v, ",")
		}
	}
	payload, err := json.Marshal(map[string]any{"method": r.Method, "headers": headers, "query": query, "body": parsed})
	if err != nil {
		return nil, err
	}
	id := r.Header.Get("Idempotency-Key")
	if id == "" {
		id = randomID()
	}
	return []connector.Event{{ID: id, Type: "http.endpoint", Time: time.Now().UTC(), Payload: payload}}, nil
}

// secretHeaders carry credentials; they never reach trigger.headers, and so
// never the journal.
var secretHeaders = map[string]bool{
	"X-Api-Client-Token": true, "Authorization": true, "Proxy-Authorization": true,
	"Cookie": true, "X-Api-Key": true,
}

func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func doRequest(ctx context.Context, client *http.Client, in connector.Args) (cty.Value, error) {
	method := strings.ToUpper(in.String("method"))
	u, err := url.Parse(in.String("url"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return cty.NilVal, connector.Errorf(connector.Invalid, "url %q is not an http(s) URL", connector.URLForError(in.String("url")))
	}
	if q := in.StringMap("query"); len(q) > 0 {
		vals := u.Query()
		for k, v := range q {
			vals.Set(k, v)
		}
		u.RawQuery = vals.Encode()
	}
	data, contentType, err := requestBody(in.Get("body"))
	if err != nil {
		return cty.NilVal, err
	}
	var body io.Reader
	if data != nil {
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return cty.NilVal, connector.Errorf(connector.Invalid, "%v", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", contentType) // a Content-Type in headers wins
	}
	var custom []string
	for _, name := range []string{"headers", "secret_headers"} {
		for k, v := range in.StringMap(name) {
			req.Header.Set(k, v)
			custom = append(custom, k)
		}
	}
	resp, err := clientFor(client, in.String("follow_redirects"), custom).Do(req)
	if err != nil {
		return cty.NilVal, transportError("http.request", err)
	}
	defer resp.Body.Close()
	data, err = io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return cty.NilVal, transportError("http.request", err)
	}
	if len(data) > MaxBody {
		// A cut JSON body would turn into a string and fail later, far
		// from the cause; say it here.
		return cty.NilVal, &connector.Error{Kind: connector.Invalid, Op: "http.request", Status: resp.StatusCode,
			Message: "the response body is larger than 1 MiB"}
	}
	if resp.StatusCode >= 400 {
		e := &connector.Error{Kind: connector.HTTPKind(resp.StatusCode), Op: "http.request", Status: resp.StatusCode, Message: strings.TrimSpace(string(truncate(data, 300)))}
		e.RetryAt = retryAfter(resp.Header, resp.StatusCode, time.Now())
		return cty.NilVal, e
	}
	var parsed any = string(data)
	if strings.Contains(resp.Header.Get("Content-Type"), "json") && len(data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			parsed = v
		}
	}
	headers := map[string]any{}
	for k, v := range resp.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	return connector.FromGo(map[string]any{"status": resp.StatusCode, "headers": headers, "body": parsed}, responseOutput)
}

// requestBody encodes the body input: a string is the body as it is (a form,
// a JSON text built with a template), any other value is JSON-encoded. The
// content type is the one to send when the card's headers set none: JSON for
// an encoded value and for a string that is a JSON object or array, plain
// text for any other string. data is nil when there is no body.
func requestBody(b cty.Value) (data []byte, contentType string, err error) {
	g, err := connector.ToGo(b)
	if err != nil {
		return nil, "", connector.Errorf(connector.Invalid, "body: %v", err)
	}
	switch x := g.(type) {
	case nil:
		return nil, "", nil
	case string:
		if t := strings.TrimSpace(x); (strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[")) && json.Valid([]byte(t)) {
			return []byte(x), "application/json", nil
		}
		return []byte(x), "text/plain; charset=utf-8", nil
	}
	data, err = json.Marshal(g)
	if err != nil {
		return nil, "", connector.Errorf(connector.Invalid, "body: %v", err)
	}
	return data, "application/json", nil
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// transportError classifies a failed round trip: timeouts and resets are
// transient, everything else (bad host, TLS, a redirect refused) is not.
// The error shows the request's URL without its query, which may carry a
// key.
func transportError(op string, err error) error {
	kind := connector.Other
	var ne net.Error
	switch {
	case errors.Is(err, errOtherOrigin):
		kind = connector.Invalid
	case errors.Is(err, context.Canceled):
		kind = connector.Other
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		kind = connector.Transient
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), strings.Contains(err.Error(), "connection reset"), strings.Contains(err.Error(), "connection refused"):
		kind = connector.Transient
	}
	return &connector.Error{Kind: kind, Op: op, Err: connector.WithoutURLQuery(err)}
}

// retryAfter reads Retry-After (seconds or an HTTP date), or else the
// rate-limit reset headers (Unix seconds) that Okta and GitHub send; those
// come with every response and mean a wait only on a 429.
func retryAfter(h http.Header, status int, now time.Time) time.Time {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.Atoi(v); err == nil {
			return now.Add(time.Duration(max(secs, 0)) * time.Second)
		}
		if t, err := http.ParseTime(v); err == nil {
			return t
		}
	}
	if status != http.StatusTooManyRequests {
		return time.Time{}
	}
	for _, name := range []string{"X-Rate-Limit-Reset", "X-RateLimit-Reset"} {
		if v := strings.TrimSpace(h.Get(name)); v != "" {
			if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs > 0 {
				return time.Unix(secs, 0).UTC()
			}
		}
	}
	return time.Time{}
}
