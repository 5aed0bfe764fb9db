package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine/server"
)

// The end-to-end tests run the built binary as `cardflow run` against the
// Okta and ServiceNow emulators, served over loopback by the test process,
// which acts as the Okta admin creating users and as the ServiceNow
// approver. Each test has its own emulators, process and store, and runs in
// parallel with the others.

// oneAttemptEach checks that each of cards has exactly n journal entries.
func oneAttemptEach(t *testing.T, ex server.ExecutionJSON, want map[string]int) {
	t.Helper()
	got := cardAttempts(ex)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("journal entries per card of %s %s (-want +got):\n%s", ex.Flow, ex.ID, diff)
	}
}

func TestE2EApproval(t *testing.T) {
	e := newE2E(t)
	e.start()

	user, inc := e.newHire("Kari", "Nordmann")
	if inc["correlation_display"] != "cardflow" || inc["state"] != "1" || !strings.Contains(inc["short_description"], "kari.nordmann@acme.example") {
		t.Errorf("approval incident = %v, want a new incident (state 1) for kari.nordmann with correlation_display cardflow", inc)
	}
	ra := e.waitExecution("request_approval", user)
	if ra.Status != "succeeded" {
		t.Fatalf("request_approval %s: status %s (%s), want succeeded", ra.ID, ra.Status, ra.Error)
	}
	oneAttemptEach(t, ra, map[string]int{"read_user": 1, "description": 1, "incident": 1, "remember": 1})
	if g := e.groupNames(user); len(g) != 0 {
		t.Errorf("before approval the user is in %v, want no groups", g)
	}

	e.approve(inc["sys_id"])
	closed := e.waitIncidentState(inc["sys_id"], "7")
	if closed["close_code"] != "Solution provided" {
		t.Errorf("close_code = %q, want %q", closed["close_code"], "Solution provided")
	}
	for _, want := range []string{"Approved by " + e2eApprover, "groups Employees, VPN Users", "apps Slack, Zoom", "account activated"} {
		if !strings.Contains(closed["close_notes"], want) {
			t.Errorf("close_notes = %q, want it to contain %q", closed["close_notes"], want)
		}
	}
	pa := e.waitExecution("provision_on_approval", user)
	if pa.Status != "succeeded" {
		t.Fatalf("provision_on_approval %s: status %s (%s), want succeeded", pa.ID, pa.Status, pa.Error)
	}
	checkRowStatus(t, pa, "done", "approved")
	// cardflow's own close is not another approval.
	oktaCalls := len(e.oktaLog.all())
	e.waitPolls(2)
	if n := len(e.executionsFor("provision_on_approval", user)); n != 1 {
		t.Errorf("%d provision_on_approval executions, want 1", n)
	}
	if n := len(e.oktaLog.all()) - oktaCalls; n != 0 {
		t.Errorf("%d Okta calls after the incident was closed, want 0", n)
	}

	// Kari has no password: activated, she is PROVISIONED until she sets
	// one from Okta's activation email, which the emulator plays here.
	u, _ := e.okta.User(user)
	if u.Status != "PROVISIONED" {
		t.Errorf("Okta status = %s, want PROVISIONED", u.Status)
	}
	if !strings.Contains(closed["close_notes"], "(status PROVISIONED until the user sets a password") {
		t.Errorf("close_notes = %q, want it to say the user has yet to set a password", closed["close_notes"])
	}
	if err := e.okta.CompleteActivation(user); err != nil {
		t.Fatal(err)
	}
	if u, _ := e.okta.User(user); u.Status != "ACTIVE" {
		t.Errorf("Okta status after the welcome flow = %s, want ACTIVE", u.Status)
	}
	if diff := cmp.Diff([]string{"Employees", "VPN Users"}, sorted(e.groupNames(user))); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Slack", "Zoom"}, e.appLabels(user, "Slack", "Zoom", "Salesforce")); diff != "" {
		t.Errorf("apps (-want +got):\n%s", diff)
	}
	if n := len(e.executionsFor("on_rejection", user)); n != 0 {
		t.Errorf("%d on_rejection executions for an approved user, want 0", n)
	}
	for _, flow := range []string{"request_approval", "provision_on_approval"} {
		if n := e.metric("cardflow_executions_total", `flow="`+flow+`",status="succeeded"`); n != 1 {
			t.Errorf("cardflow_executions_total of %s succeeded = %v, want 1", flow, n)
		}
	}
	// Two executions, each with its event, journal and outcome: several
	// writes, in at most as many transactions, and a WAL file beside the
	// store.
	commits, writes := e.metric("cardflow_store_commits_total", ""), e.metric("cardflow_store_writes_total", "")
	if commits < 1 || writes < 6 || commits > writes {
		t.Errorf("cardflow_store_commits_total %v, cardflow_store_writes_total %v: want at least 6 writes in 1 or more commits", commits, writes)
	}
	if n := e.metric("cardflow_store_wal_bytes", ""); n <= 0 {
		t.Errorf("cardflow_store_wal_bytes = %v, want more than 0", n)
	}
	e.checkNoSecrets()
}

func TestE2ERejection(t *testing.T) {
	e := newE2E(t)
	e.start()

	user, inc := e.newHire("Ola", "Hansen")
	e.waitExecution("request_approval", user)
	e.reject(inc["sys_id"])
	eventually(t, "the rejected user deactivated", func() bool {
		u, _ := e.okta.User(user)
		return u.Status == "DEPROVISIONED"
	})
	rj := e.waitExecution("on_rejection", user)
	if rj.Status != "succeeded" {
		t.Fatalf("on_rejection %s: status %s (%s), want succeeded", rj.ID, rj.Status, rj.Error)
	}
	checkRowStatus(t, rj, "rejected", "rejected")

	var notes []string
	for _, j := range e.sn.Journal("incident", inc["sys_id"]) {
		if j.Field == "work_notes" && j.CreatedBy == e2eSNUser {
			notes = append(notes, j.Value)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "Rejected by "+e2eApprover) || !strings.Contains(notes[0], "ola.hansen@acme.example") {
		t.Errorf("cardflow's work notes on the incident = %q, want one rejection note naming the approver and the login", notes)
	}
	if rec, _ := e.sn.Get("incident", inc["sys_id"]); rec["state"] != "8" {
		t.Errorf("incident state = %s, want it left canceled (8)", rec["state"])
	}
	if g := e.groupNames(user); len(g) != 0 {
		t.Errorf("a rejected user is in %v, want no groups", g)
	}
	if a := e.appLabels(user, "Slack", "Zoom"); len(a) != 0 {
		t.Errorf("a rejected user has apps %v, want none", a)
	}
	if n := len(e.executionsFor("provision_on_approval", user)); n != 0 {
		t.Errorf("%d provision_on_approval executions for a rejected user, want 0", n)
	}
	e.checkNoSecrets()
}

func TestE2EDuplicateDelivery(t *testing.T) {
	e := newE2E(t)
	e.start()

	e.okta.DuplicateNextDelivery()
	user, _ := e.newHire("Dup", "Licate")
	eventually(t, "two deliveries of the event accepted", func() bool {
		return e.hookLog.count(isDelivery(http.StatusOK)) >= 2
	})
	ra := e.waitExecution("request_approval", user)
	if ra.Status != "succeeded" {
		t.Fatalf("request_approval %s: status %s (%s), want succeeded", ra.ID, ra.Status, ra.Error)
	}
	if exs := e.executionsFor("request_approval", user); len(exs) != 1 {
		t.Errorf("%d request_approval executions for one event delivered twice, want 1", len(exs))
	}
	if incs := e.sn.Find("incident", "correlation_id="+user); len(incs) != 1 {
		t.Errorf("%d incidents for one event delivered twice, want 1", len(incs))
	}
}

// TestE2EBatchedDelivery: Okta amalgamates events that occur close
// together into one delivery; cardflow runs request_approval once for each
// of its events, and each new hire gets an incident.
func TestE2EBatchedDelivery(t *testing.T) {
	e := newE2E(t, func(o *oktaemu.Options) { o.DeliveryBatchWindow = 2 * time.Second })
	e.start()

	var users []string
	for _, name := range []string{"Bat", "Ched", "Hires"} {
		u, err := e.okta.CreateUser(map[string]any{"firstName": name, "lastName": "Together", "login": strings.ToLower(name) + ".together@acme.example",
			"email": strings.ToLower(name) + ".together@acme.example", "department": "Finance"}, false)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u.ID)
	}
	for _, user := range users {
		if ra := e.waitExecution("request_approval", user); ra.Status != "succeeded" {
			t.Errorf("request_approval for %s: %s (%s), want succeeded", user, ra.Status, ra.Error)
		}
		if incs := e.sn.Find("incident", "correlation_id="+user); len(incs) != 1 {
			t.Errorf("%d incidents for %s, want 1", len(incs), user)
		}
	}
	if n := e.hookLog.count(isDelivery(http.StatusOK)); n != 1 {
		t.Errorf("%d deliveries for three users created together, want one carrying all three events", n)
	}
}

func isDelivery(status int) func(request) bool {
	return func(r request) bool {
		return r.Method == http.MethodPost && r.Path == "/hooks/okta/main" && r.Status == status
	}
}

func TestE2EEditThatIsNotAResolution(t *testing.T) {
	e := newE2E(t)
	e.start()

	user, inc := e.newHire("Ed", "Itor")
	e.waitExecution("request_approval", user)
	sysID := inc["sys_id"]
	if _, err := e.sn.Update("incident", sysID, e2eApprover, map[string]string{"work_notes": "Checking with the manager."}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sn.Update("incident", sysID, e2eApprover, map[string]string{"state": "2"}); err != nil {
		t.Fatal(err)
	}
	// Resolved, but by cardflow's own service account: not an approval.
	edited, err := e.sn.Update("incident", sysID, e2eSNUser, map[string]string{
		"state": "6", "close_code": "Solution provided", "close_notes": "Resolved by the integration.",
	})
	if err != nil {
		t.Fatal(err)
	}
	since := time.Now()
	e.waitPolls(2)

	if exs := append(e.executionsFor("provision_on_approval", user), e.executionsFor("on_rejection", user)...); len(exs) != 0 {
		t.Errorf("edits that are not the approver's resolution started %d executions, want 0", len(exs))
	}
	now, _ := e.sn.Get("incident", sysID)
	if now["sys_mod_count"] != edited["sys_mod_count"] || now["state"] != "6" {
		t.Errorf("incident after the edits: state %s, sys_mod_count %s; want cardflow to leave it at state 6, sys_mod_count %s",
			now["state"], now["sys_mod_count"], edited["sys_mod_count"])
	}
	if n := e.oktaLog.count(func(r request) bool { return r.Start.After(since) }); n != 0 {
		t.Errorf("cardflow made %d Okta calls after an edit that is not a resolution, want 0", n)
	}
	if u, _ := e.okta.User(user); u.Status != "STAGED" || len(e.groupNames(user)) != 0 {
		t.Errorf("user after the edit: %s in %v, want STAGED in no groups", u.Status, e.groupNames(user))
	}

	// The same incident, resolved by the approver, is provisioned: the test
	// above could fail.
	e.approve(sysID)
	e.waitIncidentState(sysID, "7")
	if pa := e.waitExecution("provision_on_approval", user); pa.Status != "succeeded" {
		t.Errorf("provision_on_approval after the resolution: %s (%s), want succeeded", pa.Status, pa.Error)
	}
}

func TestE2EForeignIncidentIgnored(t *testing.T) {
	e := newE2E(t)
	e.start()

	per, ok := e.okta.User("per.olsen@acme.example")
	if !ok {
		t.Fatal("the seeded user per.olsen is missing")
	}
	groupsBefore := sorted(e.groupNames(per.ID))
	// An incident that looks like cardflow's (the marker and an Okta user id)
	// but that cardflow did not open: no flow table row links it.
	foreign, err := e.sn.Insert("incident", e2eApprover, map[string]string{
		"short_description": "Approve access for per.olsen@acme.example", "caller_id": e2eApprover,
		"correlation_display": "cardflow", "correlation_id": per.ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	// And one with no marker at all.
	plain, err := e.sn.Insert("incident", e2eApprover, map[string]string{"short_description": "Printer on fire", "caller_id": e2eApprover})
	if err != nil {
		t.Fatal(err)
	}
	since := time.Now()
	for _, sysID := range []string{foreign["sys_id"], plain["sys_id"]} {
		e.approve(sysID)
	}

	pa := e.waitExecution("provision_on_approval", per.ID)
	if pa.Status != "halted" {
		t.Errorf("provision_on_approval for a foreign incident: %s (%s), want halted", pa.Status, pa.Error)
	}
	e.waitPolls(2)
	if exs := e.executions(""); len(exs) != 1 {
		t.Errorf("%d executions, want only the halted one", len(exs))
	}
	if calls := executionCalls(e.oktaLog.matching(func(r request) bool { return r.Start.After(since) })); len(calls) != 0 {
		t.Errorf("cardflow made %d Okta calls for incidents it did not open, want 0: %+v", len(calls), calls)
	}
	for _, sysID := range []string{foreign["sys_id"], plain["sys_id"]} {
		if rec, _ := e.sn.Get("incident", sysID); rec["state"] != "6" {
			t.Errorf("incident %s: state %s, want it left resolved (6)", rec["number"], rec["state"])
		}
	}
	if diff := cmp.Diff(groupsBefore, sorted(e.groupNames(per.ID))); diff != "" {
		t.Errorf("groups of per.olsen changed (-before +after):\n%s", diff)
	}
}

func TestE2EEventHookRejectsBadDeliveries(t *testing.T) {
	e := newE2E(t)
	e.start()

	valid := `{"eventType":"com.okta.event_hook","eventTypeVersion":"1.0","cloudEventsVersion":"0.1","source":"x",` +
		`"eventId":"f1e2","eventTime":"2026-11-28T10:00:00.000Z","contentType":"application/json",` +
		`"data":{"events":[{"uuid":"u-1","eventType":"user.lifecycle.create","published":"2026-11-28T10:00:00.000Z","target":[{"id":"00unobody","type":"User"}]}]}}`
	cases := []struct {
		name, auth, body string
		want             int
	}{
		{"not JSON", e2eHookSecret, `{"eventType":`, http.StatusBadRequest},
		{"not a delivery", e2eHookSecret, `{"hello":"world"}`, http.StatusBadRequest},
		{"events not a list", e2eHookSecret, `{"eventType":"com.okta.event_hook","eventId":"x","data":{"events":"no"}}`, http.StatusBadRequest},
		{"wrong secret", "not-the-secret", valid, http.StatusUnauthorized},
		{"no secret", "", valid, http.StatusUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, e.url("/hooks/okta/main"), strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("status %d, want %d", resp.StatusCode, c.want)
			}
		})
	}
	if exs := e.executions(""); len(exs) != 0 {
		t.Errorf("rejected deliveries stored %d executions, want 0", len(exs))
	}
	if n := e.sn.Find("incident", "correlation_display=cardflow"); len(n) != 0 {
		t.Errorf("rejected deliveries opened %d incidents, want 0", len(n))
	}
	for status, want := range map[string]float64{"Bad Request": 3, "Unauthorized": 2} {
		if n := e.metric("cardflow_requests_rejected_total", `route="/hooks",status="`+status+`"`); n != want {
			t.Errorf("cardflow_requests_rejected_total for %s = %v, want %v", status, n, want)
		}
	}
	if n := e.metric("cardflow_events_received_total", `flow="request_approval"`); n != 0 {
		t.Errorf("cardflow_events_received_total = %v, want 0", n)
	}
}

// checkRowStatus checks that the table.put card wrote a row with status.
func checkRowStatus(t *testing.T, ex server.ExecutionJSON, card, status string) {
	t.Helper()
	for _, c := range ex.Cards {
		if c.Card == card && c.Status == "ok" {
			var out struct {
				Row map[string]any `json:"row"`
			}
			if err := json.Unmarshal(c.Output, &out); err != nil || out.Row["status"] != status {
				t.Errorf("card %s wrote %s (%v), want a row with status %q", card, c.Output, err, status)
			}
			return
		}
	}
	t.Errorf("execution %s has no successful %s card: %+v", ex.ID, card, ex.Cards)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
