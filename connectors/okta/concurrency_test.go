package okta_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine/connector"
)

// TestConcurrencyLimitedIsRetryable: a 429 of Okta's concurrency limit
// (X-Rate-Limit-Limit and -Remaining 0, an estimated reset) is one
// rate_limited error that says so and asks to wait Reset - Date + 1 s,
// with no retry of the SDK's and no division by the limit. It does not
// hold the endpoint back as an exhausted bucket does: once the request in
// flight is answered, the next call to the same endpoint is sent and
// served, before the estimated reset.
func TestConcurrencyLimitedIsRetryable(t *testing.T) {
	emu := emulator.New(emulator.Options{Token: testToken, EnforceRateLimits: true, ConcurrencyLimit: 1})
	t.Cleanup(emu.Close)
	if err := emu.Seed(testSeed()); err != nil {
		t.Fatal(err)
	}
	o := &org{emu: emu, last: &lastResponse{}}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		emu.ServeHTTP(&recorder{ResponseWriter: w, last: o.last}, r)
	}))
	t.Cleanup(o.srv.Close)
	o.client = o.open(t, nil)
	erik := map[string]cty.Value{"user": s("erik.berg@acme.example")}

	// Another client of the org holds the only slot for 500 ms.
	emu.Inject(emulator.Fault{Latency: 500 * time.Millisecond, PathPrefix: "/api/v1/groups"})
	held := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, o.srv.URL+"/api/v1/groups", nil)
		req.Header.Set("Authorization", "SSWS "+testToken)
		resp, err := o.srv.Client().Do(req)
		if err != nil {
			held <- 0
			return
		}
		resp.Body.Close()
		held <- resp.StatusCode
	}()
	for deadline := time.Now().Add(5 * time.Second); emu.InFlight() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the held request never arrived")
		}
	}

	before := emu.Requests()
	sent := time.Now()
	_, err := o.do(t, "read_user", erik)
	answered := time.Now()
	ce := asError(t, err)
	status, header := o.last.get()
	if status != 429 || header.Get("X-Rate-Limit-Limit") != "0" {
		t.Fatalf("emulator answered %d with limit %q, want the concurrency 429", status, header.Get("X-Rate-Limit-Limit"))
	}
	if ce.Kind != connector.RateLimited || ce.Status != 429 || ce.Code != "E0000047" ||
		!strings.Contains(ce.Message, "concurrency limit") || !ce.Kind.Retryable() {
		t.Errorf("error %v: kind %v, status %d, code %s, message %q; want a retryable rate_limited E0000047 naming the concurrency limit",
			err, ce.Kind, ce.Status, ce.Code, ce.Message)
	}
	reset, _ := strconv.ParseInt(header.Get("X-Rate-Limit-Reset"), 10, 64)
	wait := time.Unix(reset, 0).Sub(mustDate(t, header)) + time.Second
	if ce.RetryAt.Before(sent.Add(wait)) || ce.RetryAt.After(answered.Add(wait)) {
		t.Errorf("RetryAt = %v, want X-Rate-Limit-Reset - Date + 1s = %v after the answer (%v–%v)", ce.RetryAt, wait, sent, answered)
	}
	if n := emu.Requests() - before; n != 1 {
		t.Errorf("%d requests, want 1: the SDK must not retry", n)
	}

	if s := <-held; s != http.StatusOK {
		t.Fatalf("held request: %d", s)
	}
	if !time.Now().Before(ce.RetryAt) {
		t.Fatalf("the held request ended after the estimated reset (%v): too slow to tell", ce.RetryAt)
	}
	before = emu.Requests()
	out, err := o.do(t, "read_user", erik)
	if err != nil || get(out, "login") != "erik.berg@acme.example" {
		t.Fatalf("read_user once the slot is free: %v, want it sent and served", err)
	}
	if n := emu.Requests() - before; n != 1 {
		t.Errorf("%d requests reached the org, want 1", n)
	}
}
