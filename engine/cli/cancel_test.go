package cli_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// waitFlow waits an hour, then tells the API which user it is about: the
// side effect a canceled execution must never have.
const waitFlow = `
flow "offboard" {
  trigger "http.endpoint" {
    token = env("ENDPOINT_TOKEN")
  }
  card "pause" {
    action = flow.wait
    for    = "1h"
  }
  card "notify" {
    action = http.request
    method = "POST"
    url    = "${env("API")}/notify"
    body   = { user = trigger.body.user }
  }
}
`

// TestCancelAndWakeCommands parks two executions in flow.wait under a
// running engine, then cancels one and wakes the other with the CLI on the
// same store: the woken one notifies the API at once, the canceled one
// never does.
func TestCancelAndWakeCommands(t *testing.T) {
	var (
		mu       sync.Mutex
		notified []string
	)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ User string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		notified = append(notified, body.User)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer api.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "flow.hcl"), []byte(waitFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "cardflow.db")
	env := map[string]string{"API": api.URL, "ENDPOINT_TOKEN": "tok"}
	eng, st, ctx, stop := startEngine(t, db, dir, env)
	defer stop()
	srv := httptest.NewServer(eng.Handler())
	defer srv.Close()
	start := func(user string) string {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+"/flows/offboard/invoke", strings.NewReader(`{"user":"`+user+`"}`))
		req.Header.Set("x-api-client-token", "tok")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Executions []string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != http.StatusAccepted || len(body.Executions) != 1 {
			t.Fatalf("invoke: HTTP %d %v", resp.StatusCode, body.Executions)
		}
		return body.Executions[0]
	}
	await := func(id string, want store.Status) *store.Execution {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			ex, err := st.Execution(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if ex.Status == want {
				return ex
			}
			if time.Now().After(deadline) {
				t.Fatalf("execution %s is %s (%s), want %s", id, ex.Status, ex.Error, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	alice, bob := start("alice"), start("bob")
	await(alice, store.Waiting)
	parkedUntil := await(bob, store.Waiting).WakeAt

	res := run(t, []string{"USER=carol"}, "cancel", alice, "--db", db, "--reason", "user left before approval")
	if res.code != 0 || !strings.Contains(res.stdout, "canceled by carol: user left before approval") {
		t.Fatalf("cancel:\n%s", res)
	}
	if res := run(t, nil, "wake", bob, "--db", db); res.code != 0 || !strings.Contains(res.stdout, "is due now") {
		t.Fatalf("wake:\n%s", res)
	}
	ex := await(bob, store.Succeeded)
	if !ex.EndedAt.Before(parkedUntil.Add(-50 * time.Minute)) {
		t.Errorf("the woken execution ended at %v; it was parked until %v", ex.EndedAt, parkedUntil)
	}
	ex = await(alice, store.Canceled)
	if ex.Error != "canceled by carol: user left before approval" || ex.EndedAt.IsZero() {
		t.Errorf("canceled execution: error %q, ended %v", ex.Error, ex.EndedAt)
	}
	time.Sleep(1500 * time.Millisecond) // a few of the engine's claims more
	mu.Lock()
	got := strings.Join(notified, ",")
	mu.Unlock()
	if got != "bob" {
		t.Errorf("the API was notified about %q, want bob only", got)
	}

	// Refusals: exit 1 with the reason.
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"cancel", bob, "--db", db}, "already finished (succeeded)"},
		{[]string{"cancel", "ex_nope", "--db", db}, "no execution ex_nope"},
		{[]string{"wake", alice, "--db", db}, "execution " + alice + " already finished (canceled): only a waiting execution can be woken"},
		{[]string{"wake", bob, "--db", db}, "execution " + bob + " already finished (succeeded): only a waiting execution can be woken"},
		{[]string{"wake", "ex_nope", "--db", db}, "no execution ex_nope"},
	} {
		if res := run(t, nil, tt.args...); res.code != 1 || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("%v: want exit 1 with %q\n%s", tt.args, tt.want, res)
		}
	}
	if res := run(t, nil, "cancel", bob, "--db", db, "--reason", "two\nlines"); res.code != 2 || !strings.Contains(res.stderr, "control character") {
		t.Errorf("a reason with a line break: want exit 2\n%s", res)
	}
	// The limit counts characters, as the console's reason field does: 1000
	// characters of a non-Latin script pass, 1001 do not.
	if res := run(t, nil, "cancel", "ex_nope", "--db", db, "--reason", strings.Repeat("承", 1000)); res.code != 1 || !strings.Contains(res.stderr, "no execution ex_nope") {
		t.Errorf("a reason of 1000 characters (3000 bytes): want it taken (then exit 1, no such execution)\n%s", res)
	}
	if res := run(t, nil, "cancel", bob, "--db", db, "--reason", strings.Repeat("承", 1001)); res.code != 2 || !strings.Contains(res.stderr, "the reason is 1001 characters; keep it to 1000 at most") {
		t.Errorf("a reason of 1001 characters: want exit 2 saying so\n%s", res)
	}
	if res := run(t, nil, "history", "--status", "canceled", "--db", db); res.code != 0 || !strings.Contains(res.stdout, alice) || strings.Contains(res.stdout, bob) {
		t.Errorf("history --status canceled:\n%s", res)
	}
	// The British spelling is refused with the one it takes.
	if res := run(t, nil, "history", "--status", "cancelled", "--db", db); res.code != 2 || !strings.Contains(res.stderr, `unknown status "cancelled": did you mean "canceled"?`) {
		t.Errorf("history --status cancelled: want exit 2 suggesting canceled\n%s", res)
	}
	// show says the cancel cut the wait short: the card is not still
	// waiting, and no "claimed 0×".
	res = run(t, nil, "show", alice, "--db", db)
	if res.code != 0 || !regexp.MustCompile(`(?m)^  pause +canceled +attempt 1 `).MatchString(res.stdout) ||
		!strings.Contains(res.stdout, "(canceled while waiting; pause never woke)") ||
		strings.Contains(res.stdout, "waiting  attempt") || strings.Contains(res.stdout, "claimed 0×") {
		t.Errorf("show of the canceled execution:\n%s", res)
	}
	if res := run(t, nil, "show", bob, "--db", db); res.code != 0 || !strings.Contains(res.stdout, "(claimed 1×)") {
		t.Errorf("show of the woken execution:\n%s", res)
	}

	// Each action taken from the command line is in the store's audit log,
	// which the console lists, beside the admin API's and the console's:
	// who, from "cli", what, the outcome; an unknown id is not.
	log, err := (&engine.ConsoleSource{Store: st}).AuditLog(ctx, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range log {
		if e.Remote != "cli" || e.Target == "ex_nope" {
			t.Errorf("audit entry %+v: want it from cli and of a known execution", e)
		}
		lines = append(lines, e.Who+" "+e.Action+" "+e.Target+" | "+e.Detail+" | "+e.Outcome)
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{
		"carol cancel " + alice + " | user left before approval | ok",
		"wake " + bob + " | was due ",
		"cancel " + bob + " |  | refused: execution " + bob + " already finished (succeeded)",
		"wake " + alice + " |  | refused: execution " + alice + " already finished (canceled)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the audit log lacks %q:\n%s", want, all)
		}
	}
}

// TestCancelRefusesARunningExecution: a claimed execution is refused with
// a reason that says it can be canceled once it waits or ends.
func TestCancelRefusesARunningExecution(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cardflow.db")
	st, err := sqlite.Open(db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	enq, err := st.Enqueue(t.Context(), []store.Event{{Flow: "f", DedupKey: "k", ReceivedAt: time.Now()}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Claim(t.Context(), "w", 1, time.Minute, store.ClaimOptions{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	res := run(t, nil, "cancel", enq[0].ID, "--db", db)
	if res.code != 1 || !strings.Contains(res.stderr, "is running: a worker is running it; it can be canceled once it waits or ends") {
		t.Errorf("cancel of a running execution:\n%s", res)
	}
}
