package okta

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/cardflow/cardflow/engine/connector"
)

// Okta error codes that refine the HTTP status (reference §3.1).
const (
	codeNotFound      = "E0000007"
	codeInvalidToken  = "E0000011"
	codeAlreadyActive = "E0000016"
	codeWrongStatus   = "E0000038"
	codeRateLimited   = "E0000047"
)

// classify maps an SDK result to a *connector.Error without an Op (the
// connector.NewAction wrapper sets it). resp may be nil.
func classify(resp *okta.Response, err error) *connector.Error {
	var status int
	var header http.Header
	if resp != nil && resp.Response != nil {
		status, header = resp.StatusCode, resp.Header
	}
	return classifyHTTP(status, header, err)
}

func classifyHTTP(status int, header http.Header, err error) *connector.Error {
	var ce *connector.Error
	var rl *rateLimitedError
	var te *tokenError
	var oe *okta.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce):
		return ce
	case errors.As(err, &rl):
		return rateLimited(rl)
	case errors.As(err, &te):
		return errorFromBody(te.status, te.header, te.body)
	case errors.As(err, &oe):
		return apiFailure(status, header, oe)
	}
	return networkFailure(err)
}

func rateLimited(rl *rateLimitedError) *connector.Error {
	e := &connector.Error{
		Kind:    connector.RateLimited,
		Status:  http.StatusTooManyRequests,
		Code:    codeRateLimited,
		RetryAt: rl.at,
	}
	var body okta.Error
	if json.Unmarshal(rl.body, &body) == nil && body.ErrorCode != "" {
		e.Code, e.Message = body.ErrorCode, body.ErrorSummary
	}
	if e.Message == "" {
		e.Message = "API call exceeded rate limit due to too many requests."
	}
	if rl.concurrency() {
		e.Message += " (the org's concurrency limit: too many requests in flight at once)"
	}
	return e
}

// apiFailure maps an Okta error body: the status decides the kind, and
// Okta's errorCode refines it ("only errorCode is supported for runtime
// flow control", reference §3.1).
func apiFailure(status int, header http.Header, oe *okta.Error) *connector.Error {
	e := &connector.Error{
		Kind:    connector.HTTPKind(status),
		Status:  status,
		Code:    oe.ErrorCode,
		Message: summary(oe),
	}
	switch oe.ErrorCode {
	case codeNotFound:
		e.Kind = connector.NotFound
	case codeInvalidToken:
		e.Kind = connector.Permission
	case codeRateLimited:
		e.Kind = connector.RateLimited
	case codeAlreadyActive, codeWrongStatus:
		// 403s about the user's status, not about the credentials.
		e.Kind = connector.Conflict
	}
	switch oe.ErrorMessage { // OAuth 2.0 token errors (RFC 6749 §5.2)
	case "invalid_client", "unauthorized_client", "invalid_grant", "invalid_scope", "access_denied":
		e.Kind, e.Code = connector.Permission, oe.ErrorMessage
	}
	if e.Kind == connector.Other {
		e.Kind = connector.Invalid
	}
	e.RetryAt = serverRetryAt(e.Kind, header)
	return e
}

// serverRetryAt is the earliest retry time the answer asks for. Every Okta
// answer carries X-Rate-Limit-Reset, the end of the current rate-limit
// window, which says nothing about when a 5xx will pass: it is honoured
// only for a 429 or when the window's budget is spent (remaining 0). A 5xx
// backs off on the retry policy's own schedule, unless the server sent an
// explicit Retry-After.
func serverRetryAt(kind connector.Kind, h http.Header) time.Time {
	if h == nil || !kind.Retryable() {
		return time.Time{}
	}
	// Classified as the answer arrives: now is when it was received.
	now := time.Now()
	if kind == connector.RateLimited || strings.TrimSpace(h.Get("X-Rate-Limit-Remaining")) == "0" {
		return retryAt(h, now)
	}
	if h.Get("Retry-After") == "" {
		return time.Time{}
	}
	return retryAt(http.Header{"Retry-After": h.Values("Retry-After")}, now)
}

// summary is errorSummary followed by the errorCauses' summaries.
func summary(oe *okta.Error) string {
	s := oe.ErrorSummary
	if s == "" {
		s = oe.ErrorDescription
	}
	if s == "" {
		s = oe.ErrorMessage
	}
	var causes []string
	for _, c := range oe.ErrorCauses {
		if v, ok := c["errorSummary"].(string); ok && v != "" {
			causes = append(causes, v)
		}
	}
	if len(causes) > 0 {
		s += " (" + strings.Join(causes, "; ") + ")"
	}
	return s
}

// networkFailure classifies errors that carry no HTTP answer. Transport
// failures are transient, except certificate problems, which no retry fixes.
func networkFailure(err error) *connector.Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the URL may carry an OAuth client assertion
	}
	e := &connector.Error{Kind: connector.Other, Message: err.Error(), Err: err}
	var (
		ne   net.Error
		cr   *connResetError
		le   *limiterError
		uae  x509.UnknownAuthorityError
		hne  x509.HostnameError
		cie  x509.CertificateInvalidError
		oerr *net.OpError
	)
	switch {
	case errors.Is(err, context.Canceled):
		e.Kind = connector.Other
	case errors.As(err, &uae), errors.As(err, &hne), errors.As(err, &cie):
		e.Kind = connector.Invalid
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &cr), errors.As(err, &le),
		errors.As(err, &ne), errors.As(err, &oerr):
		e.Kind = connector.Transient
	case strings.Contains(err.Error(), "too many requests"):
		// The SDK's own 429 path; unreachable with our transport, kept as a guard.
		e.Kind = connector.RateLimited
	}
	return e
}

// retryAt is when to try again after an answer with headers h, received
// at received (local clock). From X-Rate-Limit-Reset (epoch seconds) it
// waits as okta-sdk-golang does (reference §4.3): Reset - Date + 1 s,
// both the server's clock, counted from received, so that a skewed local
// clock neither retries early into another 429 nor waits too long.
// Without a valid Date it takes Reset as a local time; else Retry-After.
func retryAt(h http.Header, received time.Time) time.Time {
	if h == nil {
		return time.Time{}
	}
	if v := h.Get("X-Rate-Limit-Reset"); v != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n > 0 {
			reset := time.Unix(n, 0)
			date, err := http.ParseTime(h.Get("Date"))
			if err != nil {
				return reset
			}
			return received.Add(max(reset.Sub(date), 0) + time.Second)
		}
	}
	if v := h.Get("Retry-After"); v != "" {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return received.Add(time.Duration(n) * time.Second)
		}
		if t, err := http.ParseTime(v); err == nil {
			return t
		}
	}
	return time.Time{}
}

// errorFromBody maps a raw non-2xx answer (api_call) like an SDK error.
func errorFromBody(status int, header http.Header, body []byte) *connector.Error {
	var oe okta.Error
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&oe); err != nil ||
		(oe.ErrorCode == "" && oe.ErrorSummary == "" && oe.ErrorMessage == "" && oe.ErrorDescription == "") {
		oe.ErrorSummary = strings.TrimSpace(string(truncate(body, 200)))
		if oe.ErrorSummary == "" {
			oe.ErrorSummary = http.StatusText(status)
		}
	}
	return apiFailure(status, header, &oe)
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// invalidf is a flow mistake found before any request.
func invalidf(format string, args ...any) *connector.Error {
	return &connector.Error{Kind: connector.Invalid, Message: fmt.Sprintf(format, args...)}
}

// notFoundf is a lookup by name that found nothing.
func notFoundf(format string, args ...any) *connector.Error {
	return &connector.Error{Kind: connector.NotFound, Status: http.StatusNotFound, Message: fmt.Sprintf(format, args...)}
}
