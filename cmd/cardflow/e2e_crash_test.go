package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	snemu "github.com/cardflow/cardflow/connectors/servicenow/emulator"
)

// inFlight matches requests the emulator has received and not answered.
func inFlight(method, pathPrefix string) func(request) bool {
	return func(r request) bool {
		return r.Method == method && strings.HasPrefix(r.Path, pathPrefix) && r.End.IsZero()
	}
}

// waitRunning waits for the execution of flow for needle to be running and
// returns its id.
func (e *e2e) waitRunning(flow, needle string) string {
	e.t.Helper()
	var id string
	eventually(e.t, "a running "+flow+" execution", func() bool {
		for _, ex := range e.executionsFor(flow, needle) {
			if ex.Status == "running" {
				id = ex.ID
				return true
			}
		}
		return false
	})
	return id
}

// done matches requests the emulator has answered (or given up on).
func done(method, pathPrefix string) func(request) bool {
	return func(r request) bool {
		return r.Method == method && strings.HasPrefix(r.Path, pathPrefix) && !r.End.IsZero()
	}
}

// slow is how long the emulators hold the request a test kills cardflow
// during. The emulator still serves it once the time is up, as a real
// server whose client vanished does: the write lands, the answer is lost.
const slow = 3 * time.Second

// The process is killed while request_approval waits for ServiceNow to
// create the incident; ServiceNow creates it after the client is gone.
// After a restart on the same store the execution resumes at that card,
// finds the incident by its idempotency key instead of opening a second
// one, and does not read the user again.
func TestE2EKillWhileCreatingIncident(t *testing.T) {
	e := newE2E(t)
	e.start()

	e.sn.Inject(snemu.Fault{Method: http.MethodPost, PathPrefix: "/api/now/table/incident", Latency: slow})
	u, err := e.okta.CreateUser(map[string]any{"firstName": "Kim", "lastName": "Ill", "email": "kim.ill@acme.example", "login": "kim.ill@acme.example"}, false)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the incident POST blocked in the ServiceNow emulator", func() bool {
		return e.snLog.count(inFlight(http.MethodPost, "/api/now/table/incident")) == 1
	})
	id := e.waitRunning("request_approval", u.ID)
	before := e.execution(id)
	readUser := func(r request) bool { return r.Method == http.MethodGet && r.Path == "/api/v1/users/"+u.ID }
	if n := e.oktaLog.count(readUser); n != 1 {
		t.Fatalf("%d reads of the user before the kill, want 1", n)
	}
	e.cur.kill()
	eventually(t, "the orphaned POST served", func() bool {
		return e.snLog.count(done(http.MethodPost, "/api/now/table/incident")) == 1
	})

	e.start()
	inc := e.waitIncident(u.ID)
	ex := e.waitExecution("request_approval", u.ID)
	if ex.ID != id || ex.Status != "succeeded" {
		t.Fatalf("after the restart execution %s: %s (%s), want %s succeeded", ex.ID, ex.Status, ex.Error, id)
	}
	if ex.Claims != 2 {
		t.Errorf("claims = %d, want 2 (the killed run and the resumed one)", ex.Claims)
	}
	if incs := e.sn.Find("incident", "correlation_id="+u.ID); len(incs) != 1 {
		t.Errorf("%d incidents after the crash, want 1", len(incs))
	}
	if n := e.snLog.count(done(http.MethodPost, "/api/now/table/incident")); n != 1 {
		t.Errorf("%d incident POSTs, want 1: the resumed card should find the incident the killed one created", n)
	}
	if n := e.oktaLog.count(readUser); n != 1 {
		t.Errorf("%d reads of the user, want 1: read_user was journaled before the kill and must not run again", n)
	}
	// The journal keeps the entries written before the kill as they were.
	if diff := cmp.Diff(before.Cards, ex.Cards[:len(before.Cards)]); diff != "" {
		t.Errorf("journal entries from before the kill changed (-before +after):\n%s", diff)
	}
	oneAttemptEach(t, ex, map[string]int{"read_user": 1, "description": 1, "incident": 1, "remember": 1})
	if inc["correlation_display"] != "cardflow" {
		t.Errorf("incident %v lacks the correlation marker", inc)
	}
}

// The process is killed while provision_on_approval closes the incident,
// after it granted groups, activation and apps. After a restart the
// execution closes the incident (again: the orphaned PATCH landed) without
// calling Okta again.
func TestE2EKillWhileClosingIncident(t *testing.T) {
	e := newE2E(t)
	e.start()

	user, inc := e.newHire("Kai", "Lled")
	e.waitExecution("request_approval", user)
	e.sn.Inject(snemu.Fault{Method: http.MethodPatch, PathPrefix: "/api/now/table/incident/", Latency: slow})
	e.approve(inc["sys_id"])
	eventually(t, "the closing PATCH blocked in the ServiceNow emulator", func() bool {
		return e.snLog.count(inFlight(http.MethodPatch, "/api/now/table/incident/")) == 1
	})
	id := e.waitRunning("provision_on_approval", user)
	before := e.execution(id)
	oktaBefore := len(e.oktaLog.all())
	e.cur.kill()
	eventually(t, "the orphaned PATCH served", func() bool {
		return e.snLog.count(done(http.MethodPatch, "/api/now/table/incident/")) == 1
	})

	e.start()
	closed := e.waitIncidentState(inc["sys_id"], "7")
	ex := e.waitExecution("provision_on_approval", user)
	if ex.ID != id || ex.Status != "succeeded" {
		t.Fatalf("after the restart execution %s: %s (%s), want %s succeeded", ex.ID, ex.Status, ex.Error, id)
	}
	if after := executionCalls(e.oktaLog.all()[oktaBefore:]); len(after) != 0 {
		t.Errorf("the resumed execution made %d Okta calls (first %s %s), want 0: every Okta card was journaled before the kill",
			len(after), after[0].Method, after[0].Path)
	}
	if diff := cmp.Diff(before.Cards, ex.Cards[:len(before.Cards)]); diff != "" {
		t.Errorf("journal entries from before the kill changed (-before +after):\n%s", diff)
	}
	want := cardAttempts(before)
	want["close"]++
	want["done"]++
	if diff := cmp.Diff(want, cardAttempts(ex)); diff != "" {
		t.Errorf("journal entries per card (-want +got):\n%s", diff)
	}
	if !strings.Contains(closed["close_notes"], "groups Employees, VPN Users") {
		t.Errorf("close_notes = %q", closed["close_notes"])
	}
	if diff := cmp.Diff([]string{"Employees", "VPN Users"}, sorted(e.groupNames(user))); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if n := len(e.executionsFor("provision_on_approval", user)); n != 1 {
		t.Errorf("%d provision_on_approval executions, want 1", n)
	}
}

// SIGTERM while a card waits on a slow ServiceNow: with time to drain, the
// execution finishes before the process exits.
func TestE2ETerminateDrains(t *testing.T) {
	e := newE2E(t)
	e.extraArgs = []string{"--drain", "30s"}
	e.start()

	user, inc := e.newHire("Dee", "Rain")
	e.waitExecution("request_approval", user)
	e.sn.Inject(snemu.Fault{Method: http.MethodPatch, PathPrefix: "/api/now/table/incident/", Latency: 2 * time.Second})
	e.approve(inc["sys_id"])
	eventually(t, "the closing PATCH in flight", func() bool {
		return e.snLog.count(inFlight(http.MethodPatch, "/api/now/table/incident/")) == 1
	})
	id := e.waitRunning("provision_on_approval", user)
	if err := e.cur.terminate(waitFor); err != nil {
		t.Fatalf("cardflow run after SIGTERM: %v, want exit status 0", err)
	}
	if rec, _ := e.sn.Get("incident", inc["sys_id"]); rec["state"] != "7" {
		t.Errorf("incident state %s when the process exited, want 7: the running execution should have drained", rec["state"])
	}
	if !e.cur.out.hasRecord("stopped") {
		t.Error(`no "stopped" log line`)
	}

	e.start()
	if ex := e.execution(id); ex.Status != "succeeded" || ex.Claims != 1 {
		t.Errorf("execution %s after the drain: %s, %d claims; want succeeded in one claim", id, ex.Status, ex.Claims)
	}
}

// SIGTERM while a card waits longer than the drain deadline: the execution
// is released and completes after a restart without re-running earlier
// cards.
func TestE2ETerminateReleases(t *testing.T) {
	e := newE2E(t)
	e.extraArgs = []string{"--drain", "500ms"}
	e.start()

	user, inc := e.newHire("Rel", "Eased")
	e.waitExecution("request_approval", user)
	e.sn.Inject(snemu.Fault{Method: http.MethodPatch, PathPrefix: "/api/now/table/incident/", Latency: slow})
	e.approve(inc["sys_id"])
	eventually(t, "the closing PATCH blocked", func() bool {
		return e.snLog.count(inFlight(http.MethodPatch, "/api/now/table/incident/")) == 1
	})
	id := e.waitRunning("provision_on_approval", user)
	oktaBefore := len(e.oktaLog.all())
	start := time.Now()
	if err := e.cur.terminate(waitFor); err != nil {
		t.Fatalf("cardflow run after SIGTERM: %v, want exit status 0", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("shutdown took %s with --drain 500ms", took)
	}
	eventually(t, "the abandoned PATCH served", func() bool {
		return e.snLog.count(done(http.MethodPatch, "/api/now/table/incident/")) == 1
	})

	e.start()
	e.waitIncidentState(inc["sys_id"], "7")
	ex := e.waitExecution("provision_on_approval", user)
	if ex.ID != id || ex.Status != "succeeded" {
		t.Fatalf("after the restart execution %s: %s (%s), want %s succeeded", ex.ID, ex.Status, ex.Error, id)
	}
	if after := executionCalls(e.oktaLog.all()[oktaBefore:]); len(after) != 0 {
		t.Errorf("the resumed execution made %d Okta calls, want 0", len(after))
	}
	if diff := cmp.Diff([]string{"Employees", "VPN Users"}, sorted(e.groupNames(user))); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

// executionCalls leaves out of Okta requests the event hook check that
// cardflow run makes when it starts (GET /api/v1/eventHooks): it belongs
// to no execution.
func executionCalls(reqs []request) []request {
	var out []request
	for _, r := range reqs {
		if !strings.HasPrefix(r.Path, "/api/v1/eventHooks") {
			out = append(out, r)
		}
	}
	return out
}
