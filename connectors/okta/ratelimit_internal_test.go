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
	if err := do(http.MethodPut, "/api/v1/groups/00g2/users/00u2"); !errors.As(err, &rl) || !retryAt(rl.header).After(reset) {
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
		&rateLimitedError{header: http.Header{"X-Rate-Limit-Reset": {strconv.FormatInt(time.Now().Add(-time.Second).Unix(), 10)}}}
	if err := do(http.MethodPut, "/api/v1/groups/00g1/users/00u1"); err != nil {
		t.Errorf("membership after the reset: %v, want it sent", err)
	}
}
