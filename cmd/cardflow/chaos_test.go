package main

// The chaos scenarios break one thing the way production breaks it — a 429
// storm, a 5xx burst, an outage longer than the retry budget, a create whose
// answer is lost, the store deleted under a running process — against the
// built binary and the emulators, and check the promise the fault threatens.
// They run with the other end-to-end tests; `make chaos` runs them alone
// (-run '^TestChaos' -v), and each logs what it verified ("verified: …").
//
// A new scenario is one more TestChaos<Name> function: newE2E gives the
// emulators (inject faults with e.okta.Inject / e.sn.Inject, or over HTTP
// with POST /_emulator/faults against `cardflow emulate`), the flows and the
// store; e.start runs cardflow, e.cur.kill SIGKILLs it.

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	snemu "github.com/cardflow/cardflow/connectors/servicenow/emulator"
)

// verified logs one checked promise, for make chaos to print, unless a
// check failed.
func verified(t *testing.T, format string, args ...any) {
	t.Helper()
	if t.Failed() {
		return
	}
	t.Logf("verified: "+format, args...)
}

func isUserRead(r request) bool {
	return r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/api/v1/users/")
}

// Okta answers 429 to every profile read for 4 s, each with a reset 1.5 s
// away, while five users are created. Every approval request still opens
// exactly one incident, and cardflow sends no read between a 429 and the
// reset it announced.
func TestChaosRateLimitStorm(t *testing.T) {
	e := newE2E(t)
	e.start()
	const storm = 4 * time.Second
	e.okta.Inject(oktaemu.Fault{Method: http.MethodGet, PathPrefix: "/api/v1/users/", Status: http.StatusTooManyRequests,
		ResetAfter: 1500 * time.Millisecond, Until: time.Now().Add(storm)})
	var users []string
	for _, name := range []string{"Ada", "Bo", "Cy", "Di", "Ed"} {
		u, err := e.okta.CreateUser(map[string]any{"firstName": name, "lastName": "Storm", "email": strings.ToLower(name) + ".storm@acme.example",
			"login": strings.ToLower(name) + ".storm@acme.example"}, false)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u.ID)
	}
	for _, u := range users {
		if ex := e.waitExecution("request_approval", u); ex.Status != "succeeded" {
			t.Errorf("request_approval for %s: %s (%s), want succeeded", u, ex.Status, ex.Error)
		}
		if n := len(e.sn.Find("incident", "correlation_id="+u)); n != 1 {
			t.Errorf("%d incidents for %s, want 1", n, u)
		}
	}
	reads := e.oktaLog.all()
	var limited []request
	for _, r := range reads {
		if isUserRead(r) && r.Status == http.StatusTooManyRequests {
			limited = append(limited, r)
		}
	}
	if len(limited) == 0 {
		t.Fatal("no read was answered 429: the storm missed")
	}
	early := 0
	for _, r := range reads {
		for _, l := range limited {
			if isUserRead(r) && r.Start.After(l.End.Add(inFlightGrace)) && r.Start.Before(l.Reset) {
				early++
				break
			}
		}
	}
	if early > 0 {
		t.Errorf("%d profile reads reached Okta after a 429 and before the reset it announced", early)
	}
	verified(t, "5 users created during a %s 429 storm: 5 executions succeeded, 1 incident each, %d reads answered 429, none sent before the announced reset", storm, len(limited))
}

// Okta answers 503 three times in a row. Every Okta answer carries
// X-Rate-Limit-Reset (the end of the minute's window); a 5xx must back off
// on the retry policy instead of waiting for it.
func TestChaosServerErrorBurst(t *testing.T) {
	e := newE2E(t)
	e.start()
	e.okta.Inject(oktaemu.Fault{Method: http.MethodGet, PathPrefix: "/api/v1/users/", Status: http.StatusServiceUnavailable, Count: 3})
	user, _ := e.newHire("Five", "Hundred")
	ex := e.waitExecution("request_approval", user)
	if ex.Status != "succeeded" {
		t.Fatalf("request_approval: %s (%s), want succeeded", ex.Status, ex.Error)
	}
	attempts := 0
	for _, c := range ex.Cards {
		if c.Card == "read_user" && c.Status != "waiting" { // a backoff over 1 s parks
			attempts++
		}
	}
	if attempts != 4 {
		t.Errorf("read_user made %d attempts, want 4 (three 503s, then the answer)", attempts)
	}
	var first, ok time.Time
	for _, r := range e.oktaLog.all() {
		if !isUserRead(r) {
			continue
		}
		if r.Status == http.StatusServiceUnavailable && first.IsZero() {
			first = r.Start
		}
		if r.Status == http.StatusOK && ok.IsZero() && !first.IsZero() {
			ok = r.Start
		}
	}
	// Backoff ceilings 1 s + 2 s + 4 s; the window's reset was up to a minute away.
	if took := ok.Sub(first); took > 15*time.Second {
		t.Errorf("the read succeeded %s after the first 503, want within the backoff (< 15s), not at the rate-limit window's reset", took.Round(time.Millisecond))
	}
	verified(t, "three Okta 503s: read_user retried with backoff and succeeded %s after the first 503 (not at the rate-limit reset)", ok.Sub(first).Round(time.Millisecond))
}

// An Okta outage longer than the card's retry budget fails the execution,
// and `cardflow show` says why: how many attempts, the last error, the
// budget spent.
func TestChaosOutageGivesUpAndSaysWhy(t *testing.T) {
	e := newE2E(t)
	e.editFlow("request_approval.hcl", `    user       = trigger.event.target[0].id
  }`, `    user       = trigger.event.target[0].id
    retry {
      attempts = 3
      backoff  = "200ms"
    }
  }`)
	e.start()
	e.okta.Inject(oktaemu.Fault{Method: http.MethodGet, PathPrefix: "/api/v1/users/", Status: http.StatusServiceUnavailable, Until: time.Now().Add(10 * time.Minute)})
	u, err := e.okta.CreateUser(map[string]any{"firstName": "Out", "lastName": "Age", "email": "out.age@acme.example", "login": "out.age@acme.example"}, false)
	if err != nil {
		t.Fatal(err)
	}
	ex := e.waitExecution("request_approval", u.ID)
	if ex.Status != "failed" {
		t.Fatalf("request_approval during an outage: %s, want failed", ex.Status)
	}
	if err := e.cur.terminate(waitFor); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(cardflowBin, "show", ex.ID, "--db", e.db).CombinedOutput()
	if err != nil {
		t.Fatalf("cardflow show: %v\n%s", err, out)
	}
	for _, want := range []string{"HTTP 503", "gave up after 3 attempts over", "the retry budget (attempts = 3) is spent"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("cardflow show does not say %q:\n%s", want, out)
		}
	}
	verified(t, "an outage longer than the retry budget: the execution failed and cardflow show says %q", firstLine(string(out), "error"))
}

// firstLine is the first line of s containing word, trimmed.
func firstLine(s, word string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// ServiceNow takes 2.5 s to create the incident, past cardflow's 1 s
// request timeout, and commits it after cardflow gave up. The retry must
// not open a second incident.
func TestChaosAmbiguousCreate(t *testing.T) {
	e := newE2E(t)
	e.editFlow("connections.hcl", `  password     = env("SERVICENOW_PASSWORD")
}`, `  password     = env("SERVICENOW_PASSWORD")
  timeout      = "1s"
  ambiguous_create_wait = "4s"
}`)
	e.start()
	e.sn.Inject(snemu.Fault{Method: http.MethodPost, PathPrefix: "/api/now/table/incident", Latency: 2500 * time.Millisecond, Detach: true})
	u, err := e.okta.CreateUser(map[string]any{"firstName": "Am", "lastName": "Biguous", "email": "am.biguous@acme.example", "login": "am.biguous@acme.example"}, false)
	if err != nil {
		t.Fatal(err)
	}
	ex := e.waitExecution("request_approval", u.ID)
	if ex.Status != "succeeded" {
		t.Fatalf("request_approval: %s (%s), want succeeded", ex.Status, ex.Error)
	}
	// Let any second POST land before counting.
	time.Sleep(3 * time.Second)
	if n := len(e.sn.Find("incident", "correlation_id="+u.ID)); n != 1 {
		t.Errorf("%d incidents for one user, want 1", n)
	}
	posts := e.snLog.count(func(r request) bool {
		return r.Method == http.MethodPost && strings.HasPrefix(r.Path, "/api/now/table/incident")
	})
	if posts != 1 {
		t.Errorf("%d incident POSTs, want 1", posts)
	}
	if n := cardAttempts(ex)["incident"]; n < 2 {
		t.Errorf("the incident card made %d attempts, want the lost one and the one that found the incident", n)
	}
	verified(t, "a create committed 2.5 s after a 1 s client timeout: %d incident POST, 1 incident, the retry found it by its idempotency key", posts)
}

// The store's files are deleted while cardflow runs. SQLite would go on
// writing into the unlinked file, acknowledging events that vanish at the
// next restart; instead intake stops: hooks get 503 (Okta keeps the event
// and retries), /healthz answers 503 with the status word alone, the admin
// /api/v1/health 503 with the store's status, and the log says why.
func TestChaosStoreRemoved(t *testing.T) {
	e := newE2E(t)
	e.start()
	user, inc := e.newHire("Be", "Fore")
	if ex := e.waitExecution("request_approval", user); ex.Status != "succeeded" {
		t.Fatalf("before the removal: %s (%s)", ex.Status, ex.Error)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(e.db + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
	var h struct {
		Status string `json:"status"`
		Store  struct {
			Status string `json:"status"`
			Error  string `json:"error"`
		} `json:"store"`
	}
	var code int
	eventually(t, "/api/v1/health to answer 503", func() bool {
		var err error
		code, err = e.getJSON(e.adminURL("/api/v1/health"), &h)
		return err == nil && code == http.StatusServiceUnavailable
	})
	if h.Status != "unavailable" || h.Store.Status != "lost" || !strings.Contains(h.Store.Error, "was removed") {
		t.Errorf("/api/v1/health = %+v, want status unavailable, store lost because the file was removed", h)
	}
	// The public surface says unavailable, never the store's error (which
	// names the database file).
	e.publicHealth(http.StatusServiceUnavailable, "unavailable")
	before := len(e.hookLog.all())
	u, err := e.okta.CreateUser(map[string]any{"firstName": "Af", "lastName": "Ter", "email": "af.ter@acme.example", "login": "af.ter@acme.example"}, false)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the hook delivery after the removal", func() bool {
		for _, r := range e.hookLog.all()[before:] {
			if r.Method == http.MethodPost && !r.End.IsZero() {
				return true
			}
		}
		return false
	})
	for _, r := range e.hookLog.all()[before:] {
		if r.Method == http.MethodPost && !r.End.IsZero() && r.Status != http.StatusServiceUnavailable {
			t.Errorf("a hook delivery after the store was removed was answered %d, want 503", r.Status)
		}
	}
	if n := len(e.sn.Find("incident", "correlation_id="+u.ID)); n != 0 {
		t.Errorf("%d incidents for a user whose event was refused, want 0", n)
	}
	if !e.cur.out.hasRecord("store lost: intake stopped, every event is refused with 503 until cardflow restarts") {
		t.Errorf("no log line says the store was lost:\n%s", e.cur.out.String())
	}
	// The poller leaves the approval with ServiceNow rather than take it
	// into the lost store.
	e.approve(inc["sys_id"])
	eventually(t, "the poller to refuse the approval", func() bool {
		for _, r := range e.cur.out.records() {
			if r["msg"] == "poll failed; retrying at the next tick" && strings.Contains(fmt.Sprint(r["err"]), "the store cannot keep events") {
				return true
			}
		}
		return false
	})
	if exs := e.executionsFor("provision_on_approval", user); len(exs) != 0 {
		t.Errorf("%d provision_on_approval executions from a poll into the lost store, want 0", len(exs))
	}
	verified(t, "store files deleted while running: /healthz and /api/v1/health 503 (store %q), hook deliveries answered 503, the poller leaves the approval with ServiceNow, the log says %q",
		h.Store.Status, "store lost: intake stopped")
}

// chaosPingFlow is a flow that calls no API: it must run at full speed
// whatever an API that other flows use does.
const chaosPingFlow = `variable "ping_token" {
  type      = string
  sensitive = true
}

flow "ping" {
  trigger "http.endpoint" {
    token = var.ping_token
  }
  card "pong" {
    action = text.compose
    text   = "pong ${trigger.body.n}"
  }
}
`

// TestChaosThrottledAPIBesideAHealthyFlow: Okta throttles every user read
// with a reset 20 s away while more new hires arrive than cardflow has
// workers. Their executions wait parked, holding no worker, and a flow
// that calls no API runs at once meanwhile.
func TestChaosThrottledAPIBesideAHealthyFlow(t *testing.T) {
	e := newE2E(t)
	if err := os.WriteFile(filepath.Join(e.flowDir, "ping.hcl"), []byte(chaosPingFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	const workers, hires = 8, 12
	e.extraArgs = append(e.extraArgs, "--workers", strconv.Itoa(workers))
	e.extraArgs = append(e.extraArgs, "--var", "ping_token=ping-secret")
	e.start()
	e.okta.Inject(oktaemu.Fault{Method: http.MethodGet, PathPrefix: "/api/v1/users/", Status: http.StatusTooManyRequests,
		ResetAfter: 20 * time.Second, Until: time.Now().Add(25 * time.Second)})
	for i := range hires {
		login := fmt.Sprintf("hire%02d.throttled@acme.example", i)
		if _, err := e.okta.CreateUser(map[string]any{"firstName": "Hire", "lastName": strconv.Itoa(i), "email": login, "login": login}, false); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "every new hire's execution to wait for Okta's reset", func() bool {
		n := 0
		for _, ex := range e.executions("request_approval") {
			if ex.Status == "waiting" {
				n++
			}
		}
		return n == hires
	})
	start := time.Now()
	for i := range 5 {
		if status, body := e.post(e.url("/flows/ping/invoke"), fmt.Sprintf(`{"n":%d}`, i),
			map[string]string{"X-Api-Client-Token": "ping-secret"}); status >= 300 {
			t.Fatalf("invoking ping: %d %s", status, body)
		}
	}
	eventually(t, "the five pings to succeed", func() bool {
		done := 0
		for _, ex := range e.executions("ping") {
			if ex.Status == "succeeded" {
				done++
			}
		}
		return done == 5
	})
	took := time.Since(start)
	if took > 10*time.Second {
		t.Errorf("the pings took %s beside the throttled flow, want far less than Okta's 20 s reset", took)
	}
	for _, ex := range e.executions("request_approval") {
		if finished(ex) {
			t.Errorf("request_approval %s finished (%s) before Okta's reset", ex.ID, ex.Status)
		}
	}
	verified(t, "%d executions parked on a 429 with a 20 s reset (more than the %d workers); a flow that calls no API ran 5 executions in %s meanwhile",
		hires, workers, took.Round(time.Millisecond))
}
