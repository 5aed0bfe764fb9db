package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

// hold makes every API request take d, so that requests stay in flight.
func hold(o *org, d time.Duration) {
	o.emu.Inject(emulator.Fault{Latency: d, Until: time.Now().Add(time.Hour)})
}

// waitInFlight waits until the emulator processes n requests at once.
func waitInFlight(t *testing.T, o *org, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for o.emu.InFlight() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests in flight, want %d", o.emu.InFlight(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// background sends the requests at once and returns a function that waits
// for their statuses, in order.
func background(t *testing.T, o *org, paths ...string) func() []int {
	t.Helper()
	statuses := make([]int, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, o.srv.URL+p, nil)
			req.Header.Set("Authorization", "SSWS "+testToken)
			resp, err := o.srv.Client().Do(req)
			if err != nil {
				t.Errorf("GET %s: %v", p, err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	return func() []int { wg.Wait(); return statuses }
}

// TestConcurrencyLimitRefuses: with a concurrency limit of 3, three
// requests to three endpoints in flight at once fill it, and a fourth, to
// a fourth endpoint, is answered as Okta answers it: 429 E0000047 with
// X-Rate-Limit-Limit and -Remaining 0 and an estimated reset after Date.
// The refused request counts against no bucket; the held ones are served.
func TestConcurrencyLimitRefuses(t *testing.T) {
	o := newOrg(t, emulator.Options{EnforceRateLimits: true, ConcurrencyLimit: 3, RateLimits: map[string]int{"apps": 5}})
	hold(o, 500*time.Millisecond)
	wait := background(t, o, "/api/v1/users", "/api/v1/groups", "/api/v1/logs")
	waitInFlight(t, o, 3)

	resp := doRaw(t, o, http.MethodGet, "/api/v1/apps", "SSWS "+testToken)
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	delete(body, "errorId")
	want := map[string]any{"errorCode": "E0000047", "errorLink": "E0000047",
		"errorSummary": "API call exceeded rate limit due to too many requests.", "errorCauses": []any{}}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("over the limit: %d %s, want 429 application/json", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("429 body (-want +got):\n%s", diff)
	}
	date, err := time.Parse(http.TimeFormat, resp.Header.Get("Date"))
	got := rateOf(t, resp)
	if err != nil || got.limit != "0" || got.remaining != "0" || got.reset != date.Unix()+1 {
		t.Errorf("429 headers Date %q (%v), %+v; want Limit 0, Remaining 0, Reset the second after Date",
			resp.Header.Get("Date"), err, got)
	}
	if resp.Header.Get("X-Okta-Request-Id") == "" {
		t.Error("429 without X-Okta-Request-Id")
	}

	if diff := cmp.Diff([]int{200, 200, 200}, wait()); diff != "" {
		t.Errorf("the requests in flight (-want +got):\n%s", diff)
	}
	waitInFlight(t, o, 0)
	o.emu.ClearFaults()
	// The refused request used none of the apps bucket's five.
	if got := rateOf(t, doRaw(t, o, http.MethodGet, "/api/v1/apps", "SSWS "+testToken)); got.status != 200 || got.remaining != "4" {
		t.Errorf("apps after the refusal: %+v, want 200 with 4 of 5 remaining", got)
	}
}

// TestConcurrencyLimitLeaksNoSlot: however a request ends (served,
// refused for its token, its bucket or an unknown path, its client gone
// during an injected latency, its connection dropped, its handler
// panicking), it gives its slot back exactly once: the limit's full
// capacity is there after each, and no more.
func TestConcurrencyLimitLeaksNoSlot(t *testing.T) {
	const limit = 2
	o := newOrg(t, emulator.Options{Token: testToken, EnforceRateLimits: true, ConcurrencyLimit: limit, RateLimits: map[string]int{"logs": 1}})
	o.createUser(t, "slots@x.com", true)
	full := func(step string) {
		t.Helper()
		waitInFlight(t, o, 0)
		hold(o, 300*time.Millisecond)
		wait := background(t, o, "/api/v1/users", "/api/v1/groups")
		waitInFlight(t, o, limit)
		if got := doRaw(t, o, http.MethodGet, "/api/v1/users/slots@x.com", "SSWS "+testToken); got.StatusCode != 429 {
			t.Errorf("after %s: a third request got %d, want 429", step, got.StatusCode)
		}
		if diff := cmp.Diff([]int{200, 200}, wait()); diff != "" {
			t.Errorf("after %s: requests within the limit (-want +got):\n%s", step, diff)
		}
		o.emu.ClearFaults()
		waitInFlight(t, o, 0)
	}
	full("nothing")

	for _, tt := range []struct {
		name, path, token string
		status            int
	}{
		{"a bad token", "/api/v1/users", "SSWS wrong", 401},
		{"an unknown path", "/api/v1/nothing", "SSWS " + testToken, 404},
		{"the logs bucket's one request", "/api/v1/logs", "SSWS " + testToken, 200},
		{"a used-up bucket", "/api/v1/logs", "SSWS " + testToken, 429},
	} {
		if got := doRaw(t, o, http.MethodGet, tt.path, tt.token); got.StatusCode != tt.status {
			t.Fatalf("%s: %d, want %d", tt.name, got.StatusCode, tt.status)
		}
		full(tt.name)
	}

	// A client that gives up while its request is held.
	o.emu.Inject(emulator.Fault{Latency: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, o.srv.URL+"/api/v1/groups", nil)
	req.Header.Set("Authorization", "SSWS "+testToken)
	if resp, err := o.srv.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("held request: %v %v, want the client's deadline", resp, err)
	}
	cancel()
	o.emu.ClearFaults()
	full("a client that gave up")

	// A dropped connection.
	o.emu.Inject(emulator.Fault{Drop: true})
	if resp, err := o.srv.Client().Get(o.srv.URL + "/api/v1/users"); err == nil {
		resp.Body.Close()
		t.Fatal("dropped request answered")
	}
	full("a dropped connection")

	// A handler that panics: dropping a connection that cannot be
	// hijacked aborts the handler.
	o.emu.Inject(emulator.Fault{Drop: true})
	func() {
		defer func() {
			if r := recover(); r != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", r)
			}
		}()
		r := httptest.NewRequest(http.MethodGet, "/api/v1/users", nil)
		r.Header.Set("Authorization", "SSWS "+testToken)
		o.emu.ServeHTTP(httptest.NewRecorder(), r)
	}()
	full("a panic")
}

// TestConcurrencyLimitUnderLoad: forty requests at once against a limit
// of five, each held 50 ms: never more than five are processed at once,
// every request is either served or refused as over the limit, and the
// limit is used (at least five served).
func TestConcurrencyLimitUnderLoad(t *testing.T) {
	const limit, n = 5, 40
	o := newOrg(t, emulator.Options{EnforceRateLimits: true, ConcurrencyLimit: limit})
	hold(o, 50*time.Millisecond)
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if v := int64(o.emu.InFlight()); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			default:
				time.Sleep(50 * time.Microsecond)
			}
		}
	}()
	paths := make([]string, n)
	for i := range paths {
		paths[i] = []string{"/api/v1/users", "/api/v1/groups", "/api/v1/apps", "/api/v1/logs"}[i%4]
	}
	statuses := background(t, o, paths...)()
	close(stop)
	<-sampled
	var served, refused int
	for _, s := range statuses {
		switch s {
		case 200:
			served++
		case 429:
			refused++
		default:
			t.Errorf("status %d, want 200 or 429", s)
		}
	}
	if served < limit || served+refused != n || refused == 0 {
		t.Errorf("%d served, %d refused of %d; want at least %d served, some refused", served, refused, n, limit)
	}
	if p := peak.Load(); p > limit || p == 0 {
		t.Errorf("peak of %d requests in flight, want 1 to %d", p, limit)
	}
	if got := o.emu.InFlight(); got != 0 {
		t.Errorf("%d requests in flight after all were answered", got)
	}
}

// TestConcurrencyLimitDefaults: the limit is Okta's 75 when rate limits
// are enforced, off with NoConcurrencyLimit, and off without enforcement.
func TestConcurrencyLimitDefaults(t *testing.T) {
	for _, tt := range []struct {
		name    string
		opts    emulator.Options
		refused bool
	}{
		{"enforced: 75", emulator.Options{EnforceRateLimits: true}, true},
		{"enforced, NoConcurrencyLimit", emulator.Options{EnforceRateLimits: true, ConcurrencyLimit: emulator.NoConcurrencyLimit}, false},
		{"not enforced", emulator.Options{ConcurrencyLimit: 3}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrg(t, tt.opts)
			hold(o, 500*time.Millisecond)
			paths := make([]string, emulator.DefaultConcurrencyLimit)
			for i := range paths {
				paths[i] = "/api/v1/groups"
			}
			wait := background(t, o, paths...)
			waitInFlight(t, o, emulator.DefaultConcurrencyLimit)
			o.emu.ClearFaults()
			got := doRaw(t, o, http.MethodGet, "/api/v1/users", "SSWS "+testToken)
			if (got.StatusCode == 429) != tt.refused || got.StatusCode == 429 && got.Header.Get("X-Rate-Limit-Limit") != "0" {
				t.Errorf("a request beyond 75 in flight: %d, limit %s; refused want %v", got.StatusCode,
					got.Header.Get("X-Rate-Limit-Limit"), tt.refused)
			}
			for i, s := range wait() {
				if s != 200 {
					t.Fatalf("request %d of 75: %d", i+1, s)
				}
			}
		})
	}
}

// TestConcurrencyLimitSDKWaits: okta-sdk-golang, with its own 429 retries
// on, waits Reset - Date + 1 s after a 429 with X-Rate-Limit-Limit 0 and
// then succeeds, as it does for an exhausted bucket.
func TestConcurrencyLimitSDKWaits(t *testing.T) {
	o := newOrg(t, emulator.Options{EnforceRateLimits: true, ConcurrencyLimit: 1},
		okta.WithRateLimitMaxRetries(2), okta.WithRateLimitMaxBackOff(5))
	u := o.createUser(t, "sdk.concurrency@x.com", true)
	o.emu.Inject(emulator.Fault{Latency: 300 * time.Millisecond})
	wait := background(t, o, "/api/v1/groups")
	waitInFlight(t, o, 1)
	before := o.emu.Requests()
	start := time.Now()
	got, _, err := o.client.User.GetUser(o.ctx, u.Id)
	if err != nil || got.Id != u.Id {
		t.Fatalf("GetUser: %v", err)
	}
	if n := o.emu.Requests() - before; n != 2 {
		t.Errorf("%d requests for one read, want 2 (the 429 and its retry)", n)
	}
	if took := time.Since(start); took < time.Second {
		t.Errorf("the read took %v: the SDK did not wait for the estimated reset", took)
	}
	if s := wait(); s[0] != 200 {
		t.Errorf("held request: %d", s[0])
	}
}
