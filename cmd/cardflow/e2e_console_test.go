package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine/server"
)

// TestE2EConsole drives the operator console in headless Chromium against
// cardflow run and the emulators: the onboarding flow drawn as its cards,
// the demo scenario found by the user's login, the incident card's output,
// and a failed execution replayed from the console and followed live.
func TestE2EConsole(t *testing.T) {
	e := newE2E(t)
	b := newBrowser(t)
	readToken, operateToken := e.tokenFile()
	e.start()
	ui := e.adminURL("/ui")

	// Signing in: a wrong token is refused, the operator's is taken.
	b.do("opening the console", chromedp.Navigate(ui+"/"), chromedp.WaitVisible(chromedp.CSS(`#token`)))
	b.do("a wrong token", chromedp.SendKeys(chromedp.CSS(`#token`), "cfadm_wrong"), chromedp.Submit(chromedp.CSS(`#token`)),
		chromedp.WaitVisible(chromedp.CSS(`.error`)))
	b.expectErrors("status of 401 (Unauthorized) (" + ui + "/login)")
	b.do("signing in", chromedp.SendKeys(chromedp.CSS(`#token`), operateToken), chromedp.Submit(chromedp.CSS(`#token`)))
	b.waitLoaded("/ui/")
	b.do("signed in", chromedp.WaitVisible(chromedp.CSS(`[data-testid=who]`)))
	if who := b.text(`[data-testid=who]`); who != "oncall (operate)" {
		t.Errorf("signed in as %q, want oncall (operate)", who)
	}

	// Flows: the list, then one flow drawn as its chain of cards.
	b.do("opening the flows", chromedp.Navigate(ui+"/"), chromedp.WaitVisible(chromedp.CSS(`a[href="/ui/flows/request_approval"]`)))
	b.do("opening request_approval", chromedp.Click(chromedp.CSS(`a[href="/ui/flows/request_approval"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=chain]`)))
	if n := b.count(`[data-testid=chain] li.card`); n < 3 {
		t.Errorf("request_approval is drawn with %d cards, want its cards (at least 3)", n)
	}
	if s := b.text(`[data-testid=chain] li.trigger`); !strings.Contains(s, "okta.event_hook") {
		t.Errorf("the chain starts with %q, want the okta.event_hook trigger", s)
	}
	if s := b.text(`#card-incident`); !strings.Contains(s, "servicenow.create_record") {
		t.Errorf("the incident card reads %q, want its action servicenow.create_record", s)
	}
	b.screenshot("console-flow")

	// The scenario: a new hire, the incident, the approval.
	userID, inc := e.newHire("Kari", "Nordmann")
	e.approve(inc["sys_id"])
	e.waitIncidentState(inc["sys_id"], "7")

	// Find the user's execution by login, open it, expand the incident card.
	b.do("searching by login",
		chromedp.Navigate(ui+"/executions"),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), "kari.nordmann"),
		chromedp.Submit(chromedp.CSS(`#q`)))
	b.waitLoaded("q=kari.nordmann")
	b.do("reading the results", chromedp.WaitVisible(chromedp.CSS(`[data-testid=executions]`)))
	if s := b.text(`[data-testid=executions] tbody`); !strings.Contains(s, "request_approval") || !strings.Contains(s, "kari.nordmann@acme.example") {
		t.Fatalf("searching kari.nordmann lists %q, want her request_approval execution", s)
	}
	b.screenshot("console-executions")
	b.do("opening the execution",
		chromedp.Click(chromedp.CSS(`[data-testid=executions] tbody tr:first-child a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`)))
	if s := b.text(`[data-testid=status]`); s != "succeeded" {
		t.Errorf("the execution is %q, want succeeded", s)
	}
	b.do("expanding the incident card",
		chromedp.Click(chromedp.CSS(`li[data-card=incident] summary`)),
		chromedp.WaitVisible(chromedp.CSS(`li[data-card=incident] [data-testid=output]`)))
	if s := b.text(`li[data-card=incident] [data-testid=output]`); !strings.Contains(s, inc["number"]) {
		t.Errorf("the incident card's output does not show %s:\n%s", inc["number"], s)
	}
	b.screenshot("console-execution")
	_ = userID

	// A failure: Okta refuses the read of the next new hire once.
	e.okta.Inject(oktaemu.Fault{Method: http.MethodGet, PathPrefix: "/api/v1/users/", Status: http.StatusForbidden, Count: 1})
	failed := e.newHireFailing("Ola", "Feil")
	b.do("opening the failed execution",
		chromedp.Navigate(ui+"/executions/"+url.PathEscape(failed)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=replay-form]`)))
	if s := b.text(`[data-testid=status]`); s != "failed" {
		t.Fatalf("the execution is %q, want failed", s)
	}
	// The page must not reload while it follows the replay: a mark set on
	// this document is still there when it shows the new status.
	b.do("replaying",
		chromedp.Click(chromedp.CSS(`[data-testid=confirm]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=replay]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=replayed]`)))
	b.eval(`(window.cardflowMark = 1) === 1`)
	deadline := time.Now().Add(waitFor)
	for {
		status := b.text(`[data-testid=status]`)
		if !b.eval(`window.cardflowMark === 1`) {
			t.Fatal("the execution page reloaded instead of updating in place")
		}
		if status == "succeeded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replayed execution is still %q", status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := b.count(`[data-testid=replay-mark]`); n != 1 {
		t.Errorf("the timeline shows %d replay marks, want 1", n)
	}
	b.do("opening the audit log", chromedp.Navigate(ui+"/audit"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=audit]`)))
	if s := b.text(`[data-testid=audit] tbody`); !strings.Contains(s, "replay") || !strings.Contains(s, failed) {
		t.Errorf("the audit log reads %q, want the replay of %s", s, failed)
	}
	b.do("opening health", chromedp.Navigate(ui+"/health"), chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	b.screenshot("console-health")
	b.noErrors()

	// A read token: no replay button, and the API refuses its replay.
	reader := newBrowser(t)
	reader.do("signing in to read", chromedp.Navigate(ui+"/executions/"+url.PathEscape(failed)), chromedp.WaitVisible(chromedp.CSS(`#token`)),
		chromedp.SendKeys(chromedp.CSS(`#token`), readToken), chromedp.Submit(chromedp.CSS(`#token`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=timeline]`)))
	if n := reader.count(`[data-testid=replay-form]`); n != 0 {
		t.Errorf("a read token sees %d replay forms", n)
	}
	req, _ := http.NewRequest(http.MethodPost, e.adminURL("/api/v1/executions/"+failed+"/replay"), strings.NewReader(`{"force":true}`))
	req.Header.Set("Authorization", "Bearer "+readToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("the API's replay with a read token = %d, want 403", resp.StatusCode)
	}
	reader.noErrors()

	// A change with a warning is loaded, and the console says so.
	line := e.lineOf("request_approval.hcl", "short_description")
	e.editFlow("request_approval.hcl", "short_description   =", "short_descripton    =")
	e.waitGeneration(2)
	b.do("opening the flows after the reload", chromedp.Navigate(ui+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=reload-warnings]`)))
	want := fmt.Sprintf("warning Unknown ServiceNow field %s:%d,", filepath.Join(e.flowDir, "onboarding", "request_approval.hcl"), line)
	if s := b.text(`[data-testid=reload-warnings] li`); !strings.HasPrefix(s, want) || strings.Contains(s, "Approve access") {
		t.Errorf("the console's warning reads %q, want it to start %q, without the source line", s, want)
	}
	b.screenshot("console-warnings")
	b.noErrors()
}

// tokenFile writes a token file with a read and an operate token for the
// next start, and returns the tokens.
func (e *e2e) tokenFile() (read, operate string) {
	e.t.Helper()
	var lines []string
	for _, p := range []struct {
		name string
		role server.Role
		tok  *string
	}{{"auditor", server.RoleRead, &read}, {"oncall", server.RoleOperate, &operate}} {
		tok, err := server.GenerateToken()
		if err != nil {
			e.t.Fatal(err)
		}
		*p.tok = tok
		lines = append(lines, server.TokenLine(p.name, p.role, tok))
	}
	file := filepath.Join(e.dir, "admin-tokens")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		e.t.Fatal(err)
	}
	e.extraArgs = append(e.extraArgs, "--admin-token-file", file)
	e.adminToken = read
	return read, operate
}

// newHireFailing creates an Okta user whose request_approval execution is
// expected to fail, and returns that execution's id.
func (e *e2e) newHireFailing(first, last string) string {
	e.t.Helper()
	login := strings.ToLower(first+"."+last) + "@acme.example"
	if _, err := e.okta.CreateUser(map[string]any{
		"firstName": first, "lastName": last, "email": login, "login": login,
		"department": "Finance", "manager": "per.olsen@acme.example",
	}, false); err != nil {
		e.t.Fatal(err)
	}
	ex := e.waitExecution("request_approval", login)
	if ex.Status != "failed" {
		e.t.Fatalf("request_approval of %s is %s, want failed (the fault made its read fail): %+v", login, ex.Status, ex)
	}
	return ex.ID
}
