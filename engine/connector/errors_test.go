package connector

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestKindNames(t *testing.T) {
	want := map[Kind]string{
		Other: "other", Transient: "transient", RateLimited: "rate_limited", NotFound: "not_found",
		Permission: "permission", Invalid: "invalid", Conflict: "conflict",
	}
	for k, name := range want {
		t.Run(name, func(t *testing.T) {
			if got := k.String(); got != name {
				t.Errorf("Kind(%d).String() = %q, want %q", k, got, name)
			}
			back, ok := ParseKind(name)
			if !ok || back != k {
				t.Errorf("ParseKind(%q) = %v, %v; want %v, true", name, back, ok, k)
			}
			if got, want := k.Retryable(), k == Transient || k == RateLimited; got != want {
				t.Errorf("%v.Retryable() = %v, want %v", k, got, want)
			}
		})
	}
	if got := Kind(42).String(); got != "kind(42)" {
		t.Errorf("Kind(42).String() = %q", got)
	}
	if k, ok := ParseKind("bogus"); ok || k != Other {
		t.Errorf("ParseKind(bogus) = %v, %v; want other, false", k, ok)
	}
}

func TestHTTPKind(t *testing.T) {
	tests := map[int]Kind{
		200: Other, 302: Other, 400: Invalid, 401: Permission, 403: Permission, 404: NotFound,
		408: Transient, 409: Conflict, 422: Invalid, 429: RateLimited, 500: Transient, 502: Transient, 503: Transient,
	}
	for status, want := range tests {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			if got := HTTPKind(status); got != want {
				t.Errorf("HTTPKind(%d) = %v, want %v", status, got, want)
			}
		})
	}
}

func TestKindOfAndRetryAt(t *testing.T) {
	reset := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rateLimited := &Error{Kind: RateLimited, Status: 429, RetryAt: reset}
	tests := []struct {
		name    string
		err     error
		kind    Kind
		retryAt time.Time
	}{
		{"nil", nil, Other, time.Time{}},
		{"plain error", errors.New("boom"), Other, time.Time{}},
		{"connector error", rateLimited, RateLimited, reset},
		{"wrapped once", fmt.Errorf("card x: %w", rateLimited), RateLimited, reset},
		{"wrapped twice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", Errorf(NotFound, "no user"))), NotFound, time.Time{}},
		{"joined", errors.Join(errors.New("x"), Errorf(Permission, "no")), Permission, time.Time{}},
		{"outermost connector error wins", &Error{Kind: Invalid, Err: &Error{Kind: Transient}}, Invalid, time.Time{}},
		{"deadline of an attempt", fmt.Errorf("calling: %w", context.DeadlineExceeded), Transient, time.Time{}},
		{"cancelled", context.Canceled, Other, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != tt.kind {
				t.Errorf("KindOf = %v, want %v", got, tt.kind)
			}
			if got := RetryAt(tt.err); !got.Equal(tt.retryAt) {
				t.Errorf("RetryAt = %v, want %v", got, tt.retryAt)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	cause := errors.New("connection reset")
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Message: "bad"}, "bad"},
		{&Error{Op: "okta.read_user", Status: 404, Code: "E0000007", Message: "Not found: Resource not found"}, "okta.read_user: HTTP 404: E0000007 Not found: Resource not found"},
		{&Error{Op: "GET /x", Status: 500}, "GET /x: HTTP 500"},
		{&Error{Status: 502, Err: cause}, "HTTP 502: connection reset"},
		{&Error{Op: "http.request", Err: cause}, "http.request: connection reset"},
		{&Error{Code: "E1", Err: cause}, "E1: connection reset"},
		{&Error{Message: "m", Err: cause}, "m: connection reset"},
		{Errorf(Invalid, "row %d", 3), "row 3"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
	e := &Error{Err: cause}
	if !errors.Is(e, cause) {
		t.Error("errors.Is does not see the cause through Unwrap")
	}
}

func TestStop(t *testing.T) {
	var err error = fmt.Errorf("card done: %w", &Stop{Status: "halted", Reason: "ignored", Result: map[string]any{"a": 1}})
	var s *Stop
	if !errors.As(err, &s) {
		t.Fatal("errors.As does not find *Stop")
	}
	if diff := cmp.Diff(&Stop{Status: "halted", Reason: "ignored", Result: map[string]any{"a": 1}}, s); diff != "" {
		t.Error(diff)
	}
	if got := s.Error(); got != "flow stopped: ignored" {
		t.Errorf("Error() = %q", got)
	}
}
