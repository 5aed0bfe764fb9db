package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/net/http/httpguts"
)

// The reply modes of trigger "http.endpoint".
const (
	// replyReceipt answers 202 with the execution ids once the event is
	// stored: the caller does not wait for the flow.
	replyReceipt = "receipt"
	// replyResult waits for the execution and answers 200 with its
	// flow.return result as JSON (Okta Workflows' Return card).
	replyResult = "result"
	// replyRaw waits for the execution and answers with the status,
	// headers and body its result names (Okta Workflows' Return Raw).
	replyRaw = "raw"
)

// Bounds of reply_timeout. The public listener writes each answer within
// 30 s (cli's publicWriteTimeout); the wait must end well before, so that
// the caller gets the 504 with the execution id rather than a cut
// connection.
const (
	defaultReplyTimeout = 10 * time.Second
	maxReplyTimeout     = 25 * time.Second
)

var replyAttrs = connector.Schema{
	{Name: "reply", Type: cty.String, Default: cty.StringVal(replyReceipt), Check: checkReply,
		Doc: "How the caller is answered: \"receipt\" (default) answers 202 {\"executions\": [id]} once the event is stored; " +
			"\"result\" waits for the execution and answers 200 with its flow.return result as JSON (204 without one); " +
			"\"raw\" waits and answers with the result's status (200 to 599), headers and body (a string is sent as is, " +
			"anything else as JSON), as Okta Workflows' Return Raw. A failed execution is answered 500, one still running " +
			"after reply_timeout 504; both carry the execution id, and the execution goes on to its end."},
	// No Default: lintReply tells a reply_timeout written for a receipt,
	// which waits for nothing, from one left out.
	{Name: "reply_timeout", Type: cty.String, Check: checkReplyTimeout,
		Doc: "How long a \"result\" or \"raw\" reply waits for the execution: default \"10s\", at most \"25s\". Set it below the " +
			"caller's own timeout (Okta inline hooks give up after 3 s: \"2500ms\"). A receipt does not wait: validate warns of a " +
			"reply_timeout with reply = \"receipt\"."},
}

// lintReply is the Lint of trigger "http.endpoint": a reply_timeout set
// for a receipt, which answers once the event is stored and waits for
// nothing, is not used; the author most likely meant reply = "result" or
// left the timeout behind when switching to a receipt.
func lintReply(cfg cty.Value) []connector.Finding {
	if connector.String(cfg, "reply") != replyReceipt || connector.String(cfg, "reply_timeout") == "" {
		return nil
	}
	return []connector.Finding{{Arg: "reply_timeout", Summary: "Reply timeout without a waiting reply",
		Detail: "reply_timeout is how long a \"result\" or \"raw\" reply waits for the execution, but this trigger answers with " +
			"a receipt (reply = \"receipt\", the default), which does not wait: the timeout is not used. " +
			"Set reply = \"result\" or \"raw\" if the caller needs the flow's answer, or remove reply_timeout."}}
}

func checkReply(v cty.Value) error {
	switch v.AsString() {
	case replyReceipt, replyResult, replyRaw:
		return nil
	}
	return fmt.Errorf("reply is \"receipt\", \"result\" or \"raw\", not %q", v.AsString())
}

func parseReplyTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > maxReplyTimeout {
		return 0, fmt.Errorf("reply_timeout is a duration from \"1ms\" to \"25s\" such as \"2500ms\", not %q", s)
	}
	return d, nil
}

func checkReplyTimeout(v cty.Value) error {
	_, err := parseReplyTimeout(v.AsString())
	return err
}

// endpointReply is the Reply of trigger "http.endpoint": nil for the
// default receipt.
func endpointReply(cfg cty.Value) *connector.Reply {
	timeout := defaultReplyTimeout
	if s := connector.String(cfg, "reply_timeout"); s != "" {
		// Validate refused a literal out of bounds; a computed one gets
		// the default.
		if d, err := parseReplyTimeout(s); err == nil {
			timeout = d
		}
	}
	switch connector.String(cfg, "reply") {
	case replyResult:
		return &connector.Reply{Timeout: timeout, Render: renderResult}
	case replyRaw:
		return &connector.Reply{Timeout: timeout, Render: renderRaw, Check: checkRaw}
	}
	return nil
}

// renderResult answers 200 with the result as JSON, or 204 without one.
func renderResult(result []byte) (connector.Response, error) {
	if isNullJSON(result) {
		return connector.Response{Status: http.StatusNoContent}, nil
	}
	return connector.Response{
		Status: http.StatusOK,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   result,
	}, nil
}

// rawReply is the result of a flow that answers raw: Okta Workflows'
// Return Raw, with the names of http.request's output.
type rawReply struct {
	Status  *json.Number    `json:"status"`
	Headers map[string]any  `json:"headers"`
	Body    json.RawMessage `json:"body"`
}

// renderRaw answers with the status, headers and body the result names.
// A string body is sent as it is (text/plain unless the headers say
// otherwise), any other body as JSON (application/json).
func renderRaw(result []byte) (connector.Response, error) {
	if isNullJSON(result) {
		return connector.Response{Status: http.StatusNoContent}, nil
	}
	var raw rawReply
	dec := json.NewDecoder(bytes.NewReader(result))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return connector.Response{}, fmt.Errorf("the result of a raw reply is an object with status, headers and body: %v", err)
	}
	resp := connector.Response{Status: http.StatusOK, Header: http.Header{}}
	if raw.Status != nil {
		n, err := raw.Status.Int64()
		if err != nil || n < 200 || n > 599 {
			return connector.Response{}, fmt.Errorf("status %s is not an HTTP status from 200 to 599", raw.Status)
		}
		resp.Status = int(n)
	}
	if err := rawHeaders(resp.Header, raw.Headers); err != nil {
		return connector.Response{}, err
	}
	contentType := ""
	switch {
	case isNullJSON(raw.Body):
	case raw.Body[0] == '"':
		var s string
		if err := json.Unmarshal(raw.Body, &s); err != nil {
			return connector.Response{}, fmt.Errorf("body: %v", err)
		}
		resp.Body, contentType = []byte(s), "text/plain; charset=utf-8"
	default:
		resp.Body, contentType = raw.Body, "application/json"
	}
	if contentType != "" && resp.Header.Get("Content-Type") == "" {
		resp.Header.Set("Content-Type", contentType)
	}
	return resp, nil
}

// serverHeaders frame the answer or the connection: the server sets them,
// and a flow's raw reply that passes on another answer's headers (those
// of an http.request) must not send a wrong length.
var serverHeaders = map[string]bool{
	"Content-Length": true, "Transfer-Encoding": true, "Connection": true, "Keep-Alive": true,
	"Proxy-Connection": true, "Te": true, "Trailer": true, "Upgrade": true,
}

// rawHeaders copies the headers of a raw reply into h: strings as they
// are, numbers and booleans as their JSON text; null ones are left out.
func rawHeaders(h http.Header, headers map[string]any) error {
	for k, v := range headers {
		// A field name is a token (RFC 9110 §5.1), as net/http checks it.
		if !httpguts.ValidHeaderFieldName(k) {
			return fmt.Errorf("headers: %q is not a header name", k)
		}
		var s string
		switch v := v.(type) {
		case nil:
			continue
		case string:
			s = v
		case json.Number:
			s = v.String()
		case bool:
			s = fmt.Sprint(v)
		default:
			return fmt.Errorf("headers: the value of %s is not a string", k)
		}
		if strings.ContainsAny(s, "\r\n\x00") {
			return fmt.Errorf("headers: the value of %s has a line break", k)
		}
		if serverHeaders[http.CanonicalHeaderKey(k)] {
			continue
		}
		h.Set(k, s)
	}
	return nil
}

func isNullJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) == 0 || string(b) == "null"
}
