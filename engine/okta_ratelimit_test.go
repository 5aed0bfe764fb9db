package engine_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
)

const readUserFlow = `
connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}

flow "read" {
  trigger "http.endpoint" {
    token = env("ENDPOINT_TOKEN")
  }
  card "user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.body.user
  }
}
`

// statusCounter counts the answers of a handler with a given status.
type statusCounter struct {
	next   http.Handler
	status int
	n      atomic.Int64
}

type statusWriter struct {
	http.ResponseWriter
	c *statusCounter
}

func (w statusWriter) WriteHeader(code int) {
	if code == w.c.status {
		w.c.n.Add(1)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (c *statusCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.next.ServeHTTP(statusWriter{w, c}, r)
}

// TestOktaRateLimitEnforcedWaits: the Okta connector against an emulator
// that enforces Okta's per-endpoint limits (two user reads per window
// here) gets 429s once a burst of executions uses the window up; the
// executions wait for the reset the 429 announced, and all succeed.
func TestOktaRateLimitEnforcedWaits(t *testing.T) {
	const window = time.Second
	emu := oktaemu.New(oktaemu.Options{Token: "okta-token", EnforceRateLimits: true,
		RateLimits: map[string]int{"user_read": 2}, RateLimitWindow: window})
	t.Cleanup(emu.Close)
	limited := &statusCounter{next: emu, status: http.StatusTooManyRequests}
	okta := httptest.NewServer(limited)
	t.Cleanup(okta.Close)
	const n = 5
	for i := range n {
		if _, err := emu.CreateUser(map[string]any{"login": fmt.Sprintf("u%d@acme.example", i), "email": fmt.Sprintf("u%d@acme.example", i),
			"firstName": "U", "lastName": fmt.Sprint(i)}, false); err != nil {
			t.Fatal(err)
		}
	}

	st, srv := oktaFlowEngine(t, readUserFlow, okta.URL, 4)

	start := time.Now()
	bodies := make([]string, n)
	for i := range n {
		bodies[i] = fmt.Sprintf(`{"user":"u%d@acme.example"}`, i)
	}
	invokeFlows(t, srv, "read", bodies)
	if succeeded, ok := waitSucceeded(t, st, "read", n, time.Now().Add(30*time.Second)); !ok {
		t.Fatalf("%d of %d executions succeeded after 30 s", succeeded, n)
	}
	// Five reads at two per window: at least two windows' resets waited
	// for, and Okta said 429 at least once.
	if took := time.Since(start); took < 2*window {
		t.Errorf("%d reads at 2 per %v took %v: the limit was not waited for", n, window, took)
	}
	if limited.n.Load() == 0 {
		t.Error("the emulator answered no 429: the limit was not enforced")
	}
}
