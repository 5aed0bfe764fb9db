package connector

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies a failure so that the engine can decide whether to retry.
type Kind uint8

// The kinds of failure. Only Transient and RateLimited are retried.
const (
	Other       Kind = iota // permanent, not otherwise classified
	Transient               // 5xx, timeouts, connection resets: retry with backoff
	RateLimited             // 429: retry after the server's reset time
	NotFound                // the object does not exist
	Permission              // 401/403: credentials or roles are wrong
	Invalid                 // the request is wrong: fix the flow or the data
	Conflict                // the request conflicts with the object's state
)

var kindNames = [...]string{"other", "transient", "rate_limited", "not_found", "permission", "invalid", "conflict"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), true
		}
	}
	return Other, false
}

// Retryable reports whether failures of kind k are worth another attempt.
func (k Kind) Retryable() bool { return k == Transient || k == RateLimited }

// Error is the error a connector returns for a failed remote operation.
type Error struct {
	Kind Kind
	// Op names the operation, e.g. "okta.read_user" or "GET /api/v1/users/x".
	Op string
	// Status is the HTTP status code, or 0.
	Status int
	// Code is the service's own error code, e.g. "E0000007".
	Code string
	// Message is the service's human-readable summary.
	Message string
	// RetryAt, when not zero, is the earliest time a retry may succeed
	// (from Retry-After, X-Rate-Limit-Reset or X-RateLimit-Reset).
	RetryAt time.Time
	// Err is the underlying error, if any.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d", e.Status)
		if e.Code != "" || e.Message != "" || e.Err != nil {
			b.WriteString(": ")
		}
	}
	if e.Code != "" {
		b.WriteString(e.Code)
		if e.Message != "" {
			b.WriteString(" ")
		}
	}
	b.WriteString(e.Message)
	if e.Err != nil {
		if e.Code != "" || e.Message != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err: the Kind of the first *Error in its chain,
// Transient for context deadline errors of a single attempt, Other otherwise.
func KindOf(err error) Kind {
	if err == nil {
		return Other
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Kind
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Transient
	}
	return Other
}

// RetryAt returns the server's earliest retry time carried by err, if any.
func RetryAt(err error) time.Time {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.RetryAt
	}
	return time.Time{}
}

// HTTPKind maps an HTTP status code to a Kind the way most REST APIs mean
// them. Connectors refine it with the service's own error codes.
func HTTPKind(status int) Kind {
	switch {
	case status == 429:
		return RateLimited
	case status >= 500, status == 408:
		return Transient
	case status == 404:
		return NotFound
	case status == 401 || status == 403:
		return Permission
	case status == 409:
		return Conflict
	case status >= 400:
		return Invalid
	}
	return Other
}

// Stop is returned by an action to end the execution early with a result.
// It is not a failure: the execution's status is Status (default
// "succeeded") and its output is Result.
type Stop struct {
	Status string
	Reason string
	Result any
}

func (s *Stop) Error() string { return "flow stopped: " + s.Reason }

// Wait is returned by an action that waits (flow.wait) before the flow goes
// on: for For from now, or until Until when For is zero. It is not a
// failure. The engine waits on the worker when the wait is short, and
// otherwise parks the execution in its store and gives the worker back;
// either way it calls the action again once the time has come, with
// Call.Woke set to the time it waited until, and the action returns its
// output then.
type Wait struct {
	For   time.Duration
	Until time.Time
}

func (w *Wait) Error() string {
	if w.For > 0 {
		return "waiting for " + w.For.String()
	}
	return "waiting until " + w.Until.UTC().Format(time.RFC3339)
}
