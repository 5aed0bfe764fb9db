package okta

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// transport is the connection's http.RoundTripper. It waits on the
// connection's rate limiter before every request (SDK calls, pagination,
// OAuth token requests and api_call alike) and turns two answers the SDK
// would mangle into typed errors:
//
//   - a 429 becomes *rateLimitedError carrying the headers and body. With
//     MaxRetries 0 the SDK would otherwise return a bare "too many
//     requests" error without the response, losing X-Rate-Limit-Reset.
//     Until that reset, requests to the same endpoint get the same error
//     without being sent (resetBook).
//   - io.EOF from the network becomes *connResetError, which does not
//     unwrap to io.EOF: the SDK retries io.EOF in a loop without counting
//     attempts or backing off, and retries belong to the engine.
type transport struct {
	next    http.RoundTripper
	limiter *rate.Limiter
	// timeout bounds one request, from sending it to reading its body.
	timeout time.Duration
	resets  resetBook
}

// maxErrorBody caps how much of an error response is kept.
const maxErrorBody = 64 << 10

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if rl := t.resets.refused(req, time.Now()); rl != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, rl
	}
	if err := t.limiter.Wait(req.Context()); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, &limiterError{err: err}
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, &connResetError{msg: err.Error()}
		}
		return nil, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
		cancel()
		rl := &rateLimitedError{header: resp.Header.Clone(), body: body, at: retryAt(resp.Header, time.Now())}
		t.resets.record(req, rl)
		return nil, rl
	}
	if resp.StatusCode >= 400 && strings.HasSuffix(req.URL.Path, tokenPath) {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
		cancel()
		return nil, &tokenError{status: resp.StatusCode, header: resp.Header.Clone(), body: body}
	}
	resp.Body = &releasingBody{rc: resp.Body, cancel: cancel}
	return resp, nil
}

// tokenPath is where the SDK fetches OAuth access tokens.
const tokenPath = "/oauth2/v1/token"

// tokenError is a failed OAuth token request. The SDK reports those
// without their status, so a 503 would look like a bad key.
type tokenError struct {
	status int
	header http.Header
	body   []byte
}

func (e *tokenError) Error() string { return "OAuth token request: HTTP " + http.StatusText(e.status) }

// releasingBody ends a request's timeout when its body is closed or read
// to the end. The timeout lives here rather than in http.Client.Timeout
// because the SDK never closes the body of its OAuth token responses, and
// net/http stops a client timeout only on Close.
type releasingBody struct {
	rc     io.ReadCloser
	cancel context.CancelFunc
}

func (b *releasingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == io.EOF {
		_ = b.rc.Close()
		b.cancel()
	}
	return n, err
}

func (b *releasingBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}

// rateLimitedError is a 429 answer, kept whole for RetryAt.
type rateLimitedError struct {
	header http.Header
	body   []byte
	// at is when the bucket resets by the local clock (retryAt), reckoned
	// once, as the answer arrived.
	at time.Time
}

func (e *rateLimitedError) Error() string { return "HTTP 429 Too Many Requests" }

// concurrency reports whether the 429 is Okta's concurrency limit (too
// many requests of the org in flight at once) rather than an exhausted
// rate-limit bucket: Okta then reports X-Rate-Limit-Limit and -Remaining
// as 0, and its X-Rate-Limit-Reset is only an estimate.
func (e *rateLimitedError) concurrency() bool {
	return strings.TrimSpace(e.header.Get("X-Rate-Limit-Limit")) == "0"
}

// connResetError is a connection closed by the server mid-request.
type connResetError struct{ msg string }

func (e *connResetError) Error() string { return "connection reset: " + e.msg }

// limiterError is a rate-limiter wait that could not finish before the
// request's deadline or cancellation.
type limiterError struct{ err error }

func (e *limiterError) Error() string { return "rate limiter: " + e.err.Error() }
func (e *limiterError) Unwrap() error { return e.err }
