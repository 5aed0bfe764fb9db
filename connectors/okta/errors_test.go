package okta_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine/connector"
)

func TestErrorKinds(t *testing.T) {
	erik := map[string]cty.Value{"user": s("erik.berg@acme.example")}
	tests := []struct {
		name   string
		fault  *emulator.Fault
		token  string
		user   string
		kind   connector.Kind
		status int
		code   string
	}{
		{name: "500", fault: &emulator.Fault{Status: 500}, kind: connector.Transient, status: 500, code: "E0000009"},
		{name: "503", fault: &emulator.Fault{Status: 503}, kind: connector.Transient, status: 503, code: "E0000009"},
		{name: "400", fault: &emulator.Fault{Status: 400}, kind: connector.Invalid, status: 400, code: "E0000001"},
		{name: "404", user: "nobody@acme.example", kind: connector.NotFound, status: 404, code: "E0000007"},
		{name: "401", token: "wrong-token", kind: connector.Permission, status: 401, code: "E0000011"},
		{name: "403", fault: &emulator.Fault{Status: 403}, kind: connector.Permission, status: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrg(t, nil)
			c := o.client
			if tt.token != "" {
				c = o.open(t, map[string]cty.Value{"token": s(tt.token)})
			}
			if tt.fault != nil {
				o.emu.Inject(*tt.fault)
			}
			in := erik
			if tt.user != "" {
				in = map[string]cty.Value{"user": s(tt.user)}
			}
			_, err := doWith(t, c, "read_user", in)
			ce := asError(t, err)
			if ce.Kind != tt.kind || ce.Status != tt.status || ce.Op != "okta.read_user" {
				t.Fatalf("error %v: kind %v status %d op %q, want %v %d okta.read_user", err, ce.Kind, ce.Status, ce.Op, tt.kind, tt.status)
			}
			if tt.code != "" && (ce.Code != tt.code || !strings.Contains(ce.Error(), tt.code)) {
				t.Errorf("code %q (error %q), want %s", ce.Code, ce.Error(), tt.code)
			}
			if ce.Message == "" {
				t.Error("no errorSummary in Message")
			}
			if tt.kind.Retryable() != connector.KindOf(err).Retryable() {
				t.Error("KindOf disagrees")
			}
		})
	}
}

// The SDK would turn a 429 into a bare "too many requests" without the
// response; the connector's transport keeps the reset time.
func TestRateLimitedCarriesReset(t *testing.T) {
	o := newOrg(t, nil)
	o.emu.Inject(emulator.Fault{Status: 429, ResetAfter: 40 * time.Second})
	before := o.emu.Requests()
	sent := time.Now()
	_, err := o.do(t, "read_user", map[string]cty.Value{"user": s("erik.berg@acme.example")})
	answered := time.Now()
	ce := asError(t, err)
	status, header := o.last.get()
	if status != 429 {
		t.Fatalf("emulator answered %d, want 429", status)
	}
	reset, _ := strconv.ParseInt(header.Get("X-Rate-Limit-Reset"), 10, 64)
	if ce.Kind != connector.RateLimited || ce.Status != 429 || ce.Code != "E0000047" {
		t.Fatalf("error %v: kind %v status %d code %s", err, ce.Kind, ce.Status, ce.Code)
	}
	// The SDK's wait: X-Rate-Limit-Reset - Date + 1 s, from the answer.
	wait := time.Unix(reset, 0).Sub(mustDate(t, header)) + time.Second
	if ce.RetryAt.Before(sent.Add(wait)) || ce.RetryAt.After(answered.Add(wait)) {
		t.Errorf("RetryAt = %v, want X-Rate-Limit-Reset - Date + 1s = %v after the answer (%v–%v)",
			ce.RetryAt, wait, sent, answered)
	}
	if !connector.RetryAt(err).After(time.Now().Add(30 * time.Second)) {
		t.Errorf("RetryAt %v is not ~40s ahead", connector.RetryAt(err))
	}
	if n := o.emu.Requests() - before; n != 1 {
		t.Errorf("%d requests, want 1: the SDK must not retry", n)
	}
}

func TestTimeoutIsTransient(t *testing.T) {
	o := newOrg(t, nil)
	c := o.open(t, map[string]cty.Value{"request_timeout": s("100ms")})
	o.emu.Inject(emulator.Fault{Latency: 2 * time.Second})
	start := time.Now()
	_, err := doWith(t, c, "read_user", map[string]cty.Value{"user": s("erik.berg@acme.example")})
	if connector.KindOf(err) != connector.Transient {
		t.Fatalf("error %v: kind %v, want Transient", err, connector.KindOf(err))
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v, want the 100ms request_timeout", d)
	}
}

// A server that drops connections must give one Transient error, not the
// SDK's unbounded io.EOF retry loop.
func TestConnectionResetIsTransient(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.(*net.TCPConn).SetLinger(0)
			_ = conn.Close()
		}
	}))
	defer srv.Close()
	c := openTo(t, srv.URL)
	_, err := doWith(t, c, "read_user", map[string]cty.Value{"user": s("erik.berg@acme.example")})
	if connector.KindOf(err) != connector.Transient {
		t.Fatalf("error %v: kind %v, want Transient", err, connector.KindOf(err))
	}
	if hits.Load() > 2 { // net/http itself may retry an idempotent request once
		t.Errorf("%d attempts, want at most 2", hits.Load())
	}
}

func TestConnectionRefusedIsTransient(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	c := openTo(t, "http://"+addr)
	_, err = doWith(t, c, "read_user", map[string]cty.Value{"user": s("erik.berg@acme.example")})
	if connector.KindOf(err) != connector.Transient {
		t.Fatalf("error %v: kind %v, want Transient", err, connector.KindOf(err))
	}
}

func TestRateLimiterPacesRequests(t *testing.T) {
	o := newOrg(t, nil)
	c := o.open(t, map[string]cty.Value{"rate_limit": cty.NumberIntVal(10)})
	before := o.emu.Requests()
	start := time.Now()
	// read_user by login is one request; the bucket holds 10, refilled at 10/s.
	for range 16 {
		if _, err := doWith(t, c, "read_user", map[string]cty.Value{"user": s("erik.berg@acme.example")}); err != nil {
			t.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	if n := o.emu.Requests() - before; n != 16 {
		t.Fatalf("%d requests, want 16", n)
	}
	if elapsed < 500*time.Millisecond {
		t.Errorf("16 requests at 10/s with a burst of 10 took %v, want >= 0.5s", elapsed)
	}
}

func openTo(t *testing.T, url string) connector.Client {
	t.Helper()
	o := &org{srv: &httptest.Server{URL: url}}
	return o.open(t, nil)
}

// The limiter waits with the request's context: a caller whose deadline
// comes before the next token fails at once, and Transient.
func TestRateLimiterHonoursContext(t *testing.T) {
	o := newOrg(t, nil)
	c := o.open(t, map[string]cty.Value{"rate_limit": cty.NumberFloatVal(0.2)}) // one token per 5s
	a := action(t, "read_user")
	in := argsOf(t, a.Input, map[string]cty.Value{"user": s("erik.berg@acme.example")})
	if _, err := a.Do(context.Background(), &connector.Call{Client: c, Input: in}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := a.Do(ctx, &connector.Call{Client: c, Input: in})
	if connector.KindOf(err) != connector.Transient {
		t.Fatalf("error %v: kind %v, want Transient", err, connector.KindOf(err))
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("waited %v for a token the deadline could not reach", d)
	}
}

// Every Okta answer carries X-Rate-Limit-Reset, the end of the rate-limit
// window. A 5xx must not wait for it: only a 429, or an answer saying the
// window's budget is spent, does.
func TestServerErrorIgnoresRateLimitReset(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		remaining string
		wantReset bool
	}{
		{name: "503 with budget left", status: 503, remaining: "599"},
		{name: "500 with budget left", status: 500, remaining: "12"},
		{name: "503 with the budget spent", status: 503, remaining: "0", wantReset: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reset := time.Now().Add(50 * time.Second).Unix()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h := w.Header()
				h.Set("Content-Type", "application/json")
				h.Set("X-Rate-Limit-Limit", "600")
				h.Set("X-Rate-Limit-Remaining", tt.remaining)
				h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset, 10))
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(`{"errorCode":"E0000009","errorSummary":"Internal Server Error","errorCauses":[]}`))
			}))
			defer srv.Close()
			sent := time.Now().Truncate(time.Second) // Date has whole seconds
			_, err := doWith(t, openTo(t, srv.URL), "read_user", map[string]cty.Value{"user": s("erik.berg@acme.example")})
			answered := time.Now()
			ce := asError(t, err)
			if ce.Kind != connector.Transient || ce.Status != tt.status {
				t.Fatalf("error %v: kind %v status %d, want transient %d", err, ce.Kind, ce.Status, tt.status)
			}
			if got := !ce.RetryAt.IsZero(); got != tt.wantReset {
				t.Errorf("RetryAt = %v; want a reset: %v", ce.RetryAt, tt.wantReset)
			}
			// Reset - Date + 1 s after the answer: Date is the server's
			// whole second, between sent and answered.
			earliest := sent.Add(time.Unix(reset, 0).Sub(answered.Truncate(time.Second)) + time.Second)
			latest := answered.Add(time.Unix(reset, 0).Sub(sent) + time.Second)
			if tt.wantReset && (ce.RetryAt.Before(earliest) || ce.RetryAt.After(latest)) {
				t.Errorf("RetryAt = %v, want X-Rate-Limit-Reset - Date + 1s after the answer, in [%v, %v]", ce.RetryAt, earliest, latest)
			}
		})
	}
}

// The emulator's 5xx fault carries its rate-limit headers as Okta does;
// the error it gives still has no retry time.
func TestEmulatorServerErrorHasNoRetryAt(t *testing.T) {
	o := newOrg(t, nil)
	o.emu.Inject(emulator.Fault{Status: 503})
	_, err := o.do(t, "read_user", map[string]cty.Value{"user": s("erik.berg@acme.example")})
	_, header := o.last.get()
	if header.Get("X-Rate-Limit-Reset") == "" {
		t.Fatal("the emulator's 503 has no X-Rate-Limit-Reset; the test needs one")
	}
	if at := connector.RetryAt(err); !at.IsZero() {
		t.Errorf("RetryAt = %v after a 503, want none (back off, do not wait for the rate-limit window)", at)
	}
}

// mustDate parses an answer's Date header.
func mustDate(t *testing.T, h http.Header) time.Time {
	t.Helper()
	d, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		t.Fatalf("Date %q: %v", h.Get("Date"), err)
	}
	return d
}
