package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/server"
	"github.com/google/go-cmp/cmp"
)

// Tokens of the rotation tests: distinct from e2eOktaToken, so that a
// leak of either is told apart.
const (
	rotWrongToken = "wrong-okta-token-ROT741"
	rotGoodToken  = "rotated-okta-token-ROT852"
)

// flowHash is the definition hash the health detail gives flow.
func (e *e2e) flowHash(flow string) string {
	e.t.Helper()
	for _, f := range e.health().Flows {
		if f.Name == flow {
			return f.Hash
		}
	}
	e.t.Fatalf("/api/v1/health lists no flow %s", flow)
	return ""
}

// waitFinished waits until execution id is final and returns it.
func (e *e2e) waitFinished(id string) server.ExecutionJSON {
	e.t.Helper()
	var ex server.ExecutionJSON
	eventually(e.t, "execution "+id+" to finish", func() bool {
		ex = e.execution(id)
		return finished(ex)
	})
	return ex
}

// failOnWrongToken starts cardflow with a token Okta refuses, creates a
// user and returns the user's id and the request_approval execution,
// failed with 401.
func (e *e2e) failOnWrongToken(first, last string) (string, server.ExecutionJSON) {
	e.t.Helper()
	e.okta.SetToken(rotGoodToken)
	e.env = map[string]string{"OKTA_API_TOKEN": rotWrongToken}
	e.start()
	login := strings.ToLower(first+"."+last) + "@acme.example"
	u, err := e.okta.CreateUser(map[string]any{"firstName": first, "lastName": last, "email": login, "login": login,
		"department": "Finance", "manager": "per.olsen@acme.example"}, false)
	if err != nil {
		e.t.Fatal(err)
	}
	ex := e.waitExecution("request_approval", login)
	if ex.Status != "failed" || !strings.Contains(ex.Error, "401") {
		e.t.Fatalf("request_approval with a wrong token: %s (%s), want failed with 401", ex.Status, ex.Error)
	}
	return u.ID, ex
}

// checkNoTokens checks that neither rotation token reached the logs or the
// history API.
func (e *e2e) checkNoTokens() {
	e.t.Helper()
	texts := []string{}
	for _, p := range e.runs {
		texts = append(texts, p.out.String())
	}
	for _, ex := range e.executions("") {
		b, _ := json.Marshal(e.execution(ex.ID))
		texts = append(texts, string(b))
	}
	for _, tok := range []string{rotWrongToken, rotGoodToken} {
		for _, s := range texts {
			if strings.Contains(s, tok) {
				e.t.Errorf("the token %s leaked into logs or history", tok)
				break
			}
		}
	}
}

// The QA report's case: executions fail because the API token is wrong; the
// admin rotates it and restarts. The definition hash stays, `cardflow
// replay` queues the failed execution, and it runs to the end on the new
// token, its journal keeping the 401 it failed with.
func TestE2EReplayAfterTokenRotation(t *testing.T) {
	e := newE2E(t)
	user, failed := e.failOnWrongToken("Rita", "Rotate")
	before := e.flowHash("request_approval")
	if failed.DefinitionHash != before {
		t.Fatalf("the failed execution is pinned to %s, the flow's hash is %s", failed.DefinitionHash, before)
	}
	e.cur.kill()

	e.env["OKTA_API_TOKEN"] = rotGoodToken
	e.start()
	if after := e.flowHash("request_approval"); after != before {
		t.Errorf("rotating the token changed the definition hash from %s to %s", before, after)
	}
	stdout, stderr, code := cardflowCmd(t, e.environ(), "replay", failed.ID, "--db", e.db)
	if code != 0 || !strings.Contains(stdout, "queued") {
		t.Fatalf("replay: exit %d\n%s%s", code, stdout, stderr)
	}
	if want := "`cardflow show " + failed.ID + " --db " + e.db + "`"; !strings.Contains(stdout, want) {
		t.Errorf("replay's hint lacks %s:\n%s", want, stdout)
	}
	ex := e.waitFinished(failed.ID)
	if ex.Status != "succeeded" || ex.DefinitionHash != before {
		t.Fatalf("the replay: %s on %s (%s), want succeeded on %s", ex.Status, ex.DefinitionHash, ex.Error, before)
	}
	if inc := e.waitIncident(user); inc["correlation_id"] != user {
		t.Errorf("incident %v does not name the user %s", inc, user)
	}
	show, _, _ := cardflowCmd(t, e.environ(), "show", failed.ID, "--db", e.db)
	for _, want := range []string{"Invalid token", "reset"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q (the failure before the replay):\n%s", want, show)
		}
	}
	e.checkNoTokens()
}

// A connection's org_url names the tenant: an execution that failed in one
// org is not replayed against another. `cardflow replay` refuses it up
// front with the reason, and so does the admin API; the history keeps the
// original failure. A replay queued where the new org_url is not known
// (a shell without OKTA_ORG_URL) is failed by cardflow run with both
// reasons: why it cannot run, and why it failed before.
func TestE2EReplayRefusedInAnotherOrg(t *testing.T) {
	e := newE2E(t)
	_, failed := e.failOnWrongToken("Otto", "Org")
	e.cur.kill()

	// The same emulator under another name: to cardflow, another org.
	e.env["OKTA_API_TOKEN"] = rotGoodToken
	e.env["OKTA_ORG_URL"] = strings.Replace(e.oktaURL, "127.0.0.1", "localhost", 1)
	e.start()

	stdout, stderr, code := cardflowCmd(t, e.environ(), "replay", failed.ID, "--db", e.db)
	if code != 1 || !strings.Contains(stderr, "connection okta.main's org_url changed") || strings.Contains(stdout, "queued") {
		t.Errorf("replay in another org: exit %d, want 1 naming org_url\n%s%s", code, stdout, stderr)
	}
	status, body := adminPost(t, http.DefaultClient, http.MethodPost, e.adminURL("/api/v1/executions/"+failed.ID+"/replay"), "", "")
	if status != http.StatusConflict || !strings.Contains(body, "org_url changed") {
		t.Errorf("admin replay in another org: HTTP %d %s, want 409 naming org_url", status, body)
	}
	if ex := e.execution(failed.ID); ex.Status != "failed" || ex.Error != failed.Error {
		t.Errorf("after the refused replays: %s (%s), want failed as before (%s)", ex.Status, ex.Error, failed.Error)
	}

	// A shell that does not know the org cannot tell; cardflow run can.
	env := []string{}
	for _, kv := range e.environ() {
		if !strings.HasPrefix(kv, "OKTA_ORG_URL=") {
			env = append(env, kv)
		}
	}
	if stdout, stderr, code := cardflowCmd(t, env, "replay", failed.ID, "--db", e.db); code != 0 {
		t.Fatalf("replay without OKTA_ORG_URL: exit %d\n%s%s", code, stdout, stderr)
	}
	ex := e.waitFinished(failed.ID)
	if ex.Status != "failed" || !strings.Contains(ex.Error, "org_url changed") ||
		!strings.Contains(ex.Error, "before the replay it failed at card read_user") || !strings.Contains(ex.Error, "401") {
		t.Errorf("replay that cannot run: %s (%s), want failed with both reasons", ex.Status, ex.Error)
	}
	e.checkNoTokens()
}

// An execution parked on a flow.wait when cardflow stops, and an approval
// pending in ServiceNow, both survive a restart with a rotated API token
// (the old one no longer works): the parked execution resumes on its
// definition with the new token, and the approval provisions the user.
func TestE2EParkedExecutionSurvivesTokenRotation(t *testing.T) {
	e := newE2E(t)
	if err := os.WriteFile(filepath.Join(e.flowDir, "wait_then_list.hcl"), []byte(waitThenListFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	e.okta.SetToken(rotWrongToken) // the token in use before the rotation
	e.env = map[string]string{"OKTA_API_TOKEN": rotWrongToken}
	e.start()
	user, inc := e.newHire("Pia", "Parked")
	parked := e.waitParked("wait_then_list", user)
	e.cur.kill()

	e.okta.SetToken(rotGoodToken)
	e.env["OKTA_API_TOKEN"] = rotGoodToken
	e.start()
	e.approve(inc["sys_id"])
	e.waitIncidentState(inc["sys_id"], "7")
	if diff := cmp.Diff([]string{"Employees", "VPN Users"}, sorted(e.groupNames(user))); diff != "" {
		t.Errorf("groups after the approval (-want +got):\n%s", diff)
	}
	ex := e.waitFinished(parked.ID)
	if ex.Status != "succeeded" || ex.DefinitionHash != parked.DefinitionHash {
		t.Errorf("parked execution after the rotation: %s on %s (%s), want succeeded on %s", ex.Status, ex.DefinitionHash, ex.Error, parked.DefinitionHash)
	}
	e.checkNoTokens()
}
