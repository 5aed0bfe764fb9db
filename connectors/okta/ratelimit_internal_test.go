package okta

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestBucketOf(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v1/groups/00g1/users/00u1":        "/api/v1/groups/{id}/users/{id}",
		"/api/v1/groups/00g2/users/00u2":        "/api/v1/groups/{id}/users/{id}",
		"/api/v1/users/00u1":                    "/api/v1/users/{id}",
		"/api/v1/users":                         "/api/v1/users",
		"/api/v1/users/00u1/lifecycle/activate": "/api/v1/users/{id}/lifecycle/{id}",
		"/api/v1/apps/0oa1/users/":              "/api/v1/apps/{id}/users",
		"/oauth2/v1/token":                      "/oauth2/v1/token",
	} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if got := bucketOf(req); got != want {
			t.Errorf("bucketOf(%s) = %s, want %s", path, got, want)
		}
	}
}

// After a 429, requests to the same endpoint are refused without being
// sent until the announced reset; other endpoints are not held back.
func TestTransportHoldsAnExhaustedBucket(t *testing.T) {
	var sent atomic.Int64
	reset := time.Now().Add(2 * time.Second)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sent.Add(1) == 1 {
			w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix()+1, 10))
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	tr := &transport{next: http.DefaultTransport, limiter: rate.NewLimiter(rate.Inf, 1), timeout: 5 * time.Second}
	do := func(method, path string) error {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := tr.RoundTrip(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	var rl *rateLimitedError
	if err := do(http.MethodPut, "/api/v1/groups/00g1/users/00u1"); !errors.As(err, &rl) {
		t.Fatalf("first membership: %v, want the 429", err)
	}
	if err := do(http.MethodPut, "/api/v1/groups/00g2/users/00u2"); !errors.As(err, &rl) || !rl.at.After(reset) {
		t.Errorf("second membership before the reset: %v, want the remembered 429", err)
	}
	if n := sent.Load(); n != 1 {
		t.Errorf("%d requests reached the server, want 1", n)
	}
	if err := do(http.MethodGet, "/api/v1/users/00u1"); err != nil {
		t.Errorf("another endpoint: %v, want it sent", err)
	}
	if n := sent.Load(); n != 2 {
		t.Errorf("%d requests reached the server, want 2", n)
	}
	// Once the reset has passed, the bucket is open again.
	tr.resets.buckets[bucketOf(httptest.NewRequest(http.MethodPut, "/api/v1/groups/x/users/y", nil))] =
		&rateLimitedError{at: time.Now().Add(-time.Second)}
	if err := do(http.MethodPut, "/api/v1/groups/00g1/users/00u1"); err != nil {
		t.Errorf("membership after the reset: %v, want it sent", err)
	}
}

// TestRetryAtUsesTheServersClock: the wait after a 429 is Reset - Date +
// 1 s of the server's clock, counted from when the answer arrived, as
// okta-sdk-golang waits (reference §4.3), not Reset read on the local
// clock: a local clock an hour ahead would otherwise retry at once into
// another 429, one behind would wait an hour.
func TestRetryAtUsesTheServersClock(t *testing.T) {
	received := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	header := func(server time.Time, resetIn time.Duration) http.Header {
		return http.Header{
			"Date":               {server.Format(http.TimeFormat)},
			"X-Rate-Limit-Reset": {strconv.FormatInt(server.Add(resetIn).Unix(), 10)},
		}
	}
	tests := []struct {
		name string
		h    http.Header
		want time.Time
	}{
		{"same clock", header(received, 10*time.Second), received.Add(11 * time.Second)},
		{"server an hour behind", header(received.Add(-time.Hour), 10*time.Second), received.Add(11 * time.Second)},
		{"server an hour ahead", header(received.Add(time.Hour), 10*time.Second), received.Add(11 * time.Second)},
		{"reset already passed", header(received, -5*time.Second), received.Add(time.Second)},
		{"no Date: Reset as a local time", http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(received.Add(7*time.Second).Unix(), 10)}},
			received.Add(7 * time.Second)},
		{"Retry-After", http.Header{"Retry-After": {"30"}}, received.Add(30 * time.Second)},
		{"nothing", http.Header{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAt(tt.h, received); !got.Equal(tt.want) {
				t.Errorf("retryAt = %v, want %v", got, tt.want)
			}
		})
	}
}
