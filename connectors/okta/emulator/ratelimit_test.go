package emulator_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

// clock is a settable clock for Options.Now, safe for the delivery
// goroutine to read.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// rateHeaders are the rate-limit headers of one answer.
type rateHeaders struct {
	status           int
	limit, remaining string
	reset            int64
}

func rateOf(t *testing.T, resp *http.Response) rateHeaders {
	t.Helper()
	reset, err := strconv.ParseInt(resp.Header.Get("X-Rate-Limit-Reset"), 10, 64)
	if err != nil {
		t.Fatalf("X-Rate-Limit-Reset %q: %v", resp.Header.Get("X-Rate-Limit-Reset"), err)
	}
	return rateHeaders{resp.StatusCode, resp.Header.Get("X-Rate-Limit-Limit"), resp.Header.Get("X-Rate-Limit-Remaining"), reset}
}

// TestRateLimitBuckets: each endpoint family counts in its own bucket and
// reports that bucket's limit, as Okta's per-endpoint limits do. Every
// bucket gets a distinct limit, so the header says which one counted.
func TestRateLimitBuckets(t *testing.T) {
	limits := map[string]int{}
	for i, b := range emulator.RateBuckets() {
		limits[b.Name] = 11 + i
	}
	o := newOrg(t, emulator.Options{RateLimits: limits})
	u := o.createUser(t, "bucket@x.com", true)
	for _, tt := range []struct {
		method, path, bucket string
	}{
		{"GET", "/api/v1/users", "users"},
		{"GET", "/api/v1/users/" + u.Id, "user_read"},
		{"GET", "/api/v1/users/bucket@x.com", "user_read"},
		{"POST", "/api/v1/users/" + u.Id, "user_write"},
		{"DELETE", "/api/v1/users/nobody", "user_write"},
		{"POST", "/api/v1/users/" + u.Id + "/lifecycle/suspend", "other"},
		{"GET", "/api/v1/users/" + u.Id + "/groups", "other"},
		{"GET", "/api/v1/groups", "groups"},
		{"GET", "/api/v1/groups/00gnothing", "group"},
		{"PUT", "/api/v1/groups/00gnothing/users/" + u.Id, "other"},
		{"GET", "/api/v1/apps", "apps"},
		{"GET", "/api/v1/apps/0oanothing", "app"},
		{"GET", "/api/v1/apps/0oanothing/users", "apps"},
		{"GET", "/api/v1/logs", "logs"},
		{"GET", "/api/v1/eventHooks", "other"},
		{"GET", "/api/v1/nothing", "other"},
	} {
		resp := doRaw(t, o, tt.method, tt.path, "SSWS "+testToken)
		if got, want := resp.Header.Get("X-Rate-Limit-Limit"), strconv.Itoa(limits[tt.bucket]); got != want {
			t.Errorf("%s %s: X-Rate-Limit-Limit %s, want %s (bucket %s)", tt.method, tt.path, got, want, tt.bucket)
		}
	}
}

// TestRateLimitEnforced: with EnforceRateLimits a bucket answers its limit
// of requests in a window and 429 E0000047 after, with the headers and
// Date the SDK computes its back-off from, until the reset; other buckets
// are not affected, and the next window starts afresh.
func TestRateLimitEnforced(t *testing.T) {
	start := time.Date(2026, 12, 7, 23, 21, 18, 400*int(time.Millisecond), time.UTC)
	clk := &clock{now: start}
	o := newOrg(t, emulator.Options{Now: clk.Now, EnforceRateLimits: true,
		RateLimits: map[string]int{"user_read": 3}, RateLimitWindow: 10 * time.Second})
	u := o.createUser(t, "limited@x.com", true)
	get := func() rateHeaders { return rateOf(t, doRaw(t, o, "GET", "/api/v1/users/"+u.Id, "SSWS "+testToken)) }
	// The window ends on the whole second after start+10s.
	reset := start.Add(10 * time.Second).Truncate(time.Second).Add(time.Second).Unix()
	for i, want := range []rateHeaders{{200, "3", "2", reset}, {200, "3", "1", reset}, {200, "3", "0", reset}} {
		if got := get(); got != want {
			t.Errorf("request %d within the limit: %+v, want %+v", i+1, got, want)
		}
	}
	clk.Set(start.Add(9 * time.Second))
	resp := doRaw(t, o, "GET", "/api/v1/users/"+u.Id, "SSWS "+testToken)
	if got, want := rateOf(t, resp), (rateHeaders{429, "3", "0", reset}); got != want {
		t.Errorf("over the limit: %+v, want %+v", got, want)
	}
	var body struct{ ErrorCode, ErrorSummary, ErrorLink string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.ErrorCode != "E0000047" || body.ErrorLink != "E0000047" {
		t.Errorf("429 body = %+v (%v), want E0000047", body, err)
	}
	// The SDK waits X-Rate-Limit-Reset - Date + 1 s: Date must be the
	// emulator's clock, in RFC 1123 GMT.
	if date, err := time.Parse("Mon, 02 Jan 2006 15:04:05 GMT", resp.Header.Get("Date")); err != nil || !date.Equal(start.Add(9*time.Second).Truncate(time.Second)) {
		t.Errorf("Date = %q (%v), want the emulator's now", resp.Header.Get("Date"), err)
	}
	if resp.Header.Get("X-Okta-Request-Id") == "" {
		t.Error("429 without X-Okta-Request-Id")
	}

	// Other buckets answer as before.
	for _, path := range []string{"/api/v1/users", "/api/v1/groups", "/api/v1/users/" + u.Id + "/groups"} {
		if got := rateOf(t, doRaw(t, o, "GET", path, "SSWS "+testToken)); got.status != 200 || got.limit == "3" {
			t.Errorf("GET %s while user_read is exhausted: %+v, want 200 from its own bucket", path, got)
		}
	}
	// A write to the same user is another bucket too.
	if got := rateOf(t, doRaw(t, o, "POST", "/api/v1/users/"+u.Id+"/lifecycle/suspend", "SSWS "+testToken)); got.status != 200 {
		t.Errorf("suspend while user_read is exhausted: %+v", got)
	}

	// Just before the reset: still refused. At the reset: a new window.
	clk.Set(time.Unix(reset, 0).Add(-time.Millisecond))
	if got := get(); got.status != 429 {
		t.Errorf("1 ms before the reset: %+v, want 429", got)
	}
	clk.Set(time.Unix(reset, 0))
	next := time.Unix(reset, 0).Add(10 * time.Second).Unix()
	if got, want := get(), (rateHeaders{200, "3", "2", next}); got != want {
		t.Errorf("at the reset: %+v, want %+v", got, want)
	}
}

// TestRateLimitReportedNotEnforced: by default the limits are reported
// but every request is served, however many.
func TestRateLimitReportedNotEnforced(t *testing.T) {
	o := newOrg(t, emulator.Options{RateLimits: map[string]int{"logs": 2}})
	var remaining []string
	for range 4 {
		got := rateOf(t, doRaw(t, o, "GET", "/api/v1/logs", "SSWS "+testToken))
		if got.status != 200 {
			t.Fatalf("GET /api/v1/logs over the limit, not enforcing: %+v", got)
		}
		remaining = append(remaining, got.remaining)
	}
	if got := strings.Join(remaining, ","); got != "1,0,0,0" {
		t.Errorf("X-Rate-Limit-Remaining = %s, want 1,0,0,0", got)
	}
}

func TestCheckRateLimits(t *testing.T) {
	for _, tt := range []struct {
		limits map[string]int
		want   string
	}{
		{map[string]int{"users": 5, "logs": 1}, ""},
		{map[string]int{"user": 5}, `no rate-limit bucket "user"; the buckets are users, user_read`},
		{map[string]int{"logs": 0}, "rate limit of logs is 0"},
	} {
		err := emulator.CheckRateLimits(tt.limits)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("CheckRateLimits(%v) = %v, want %q", tt.limits, err, tt.want)
		}
	}
}

// TestRateLimitEnforcedSDKWaits: okta-sdk-golang, with its own 429
// retries on, waits out an exhausted bucket (X-Rate-Limit-Reset - Date +
// 1 s) and then succeeds.
func TestRateLimitEnforcedSDKWaits(t *testing.T) {
	const window = 2 * time.Second
	o := newOrg(t, emulator.Options{EnforceRateLimits: true, RateLimits: map[string]int{"user_read": 2},
		RateLimitWindow: window}, okta.WithRateLimitMaxRetries(2), okta.WithRateLimitMaxBackOff(5))
	u := o.createUser(t, "sdk.waits@x.com", true)
	before := o.emu.Requests()
	start := time.Now()
	for i := range 3 {
		if _, _, err := o.client.User.GetUser(o.ctx, u.Id); err != nil {
			t.Fatalf("GetUser %d: %v", i+1, err)
		}
	}
	// Two within the limit, a 429, and the retry after the reset.
	if n := o.emu.Requests() - before; n != 4 {
		t.Errorf("%d requests for 3 reads, want 4 (one 429 and its retry)", n)
	}
	if took := time.Since(start); took < window {
		t.Errorf("3 reads took %v, want the third to wait for the window's end (%v)", took, window)
	}
}
