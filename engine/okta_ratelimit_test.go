package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
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

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flows.hcl"), []byte(readUserFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ENDPOINT_TOKEN": endpointToken, "OKTA_ORG_URL": okta.URL, "OKTA_API_TOKEN": "okta-token"}
	st := memory.New()
	t.Cleanup(func() { _ = st.Close() })
	e := engine.New(engine.Options{
		Registry: engineRegistry(), Store: st, Paths: []string{dir}, Workers: 4, Owner: "test",
		Host: lang.Host{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }},
	})
	if diags, err := e.Reload(context.Background()); err != nil || diags.HasErrors() {
		t.Fatalf("Reload: %v %s", err, diags.Error())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && err != context.Canceled {
			t.Errorf("Run: %v", err)
		}
	})
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)

	start := time.Now()
	for i := range n {
		req, _ := http.NewRequest("POST", srv.URL+"/flows/read/invoke", strings.NewReader(fmt.Sprintf(`{"user":"u%d@acme.example"}`, i)))
		req.Header.Set("X-Api-Client-Token", endpointToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("invoke %d: status %d", i, resp.StatusCode)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		exs, err := st.Executions(context.Background(), store.Filter{Flow: "read", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var succeeded int
		for _, ex := range exs {
			switch ex.Status {
			case store.Succeeded:
				succeeded++
			case store.Failed:
				t.Fatalf("execution %s failed: %s", ex.ID, ex.Error)
			}
		}
		if succeeded == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d executions succeeded after 30 s", succeeded, n)
		}
		time.Sleep(20 * time.Millisecond)
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
