package cli_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestDemo plays the whole onboarding scenario and then reads its store
// back through history and show.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes a few seconds")
	}
	dir := t.TempDir()
	res := run(t, nil, "demo", "--dir", dir, "--timeout", "30s")
	if res.code != 0 {
		t.Fatalf("demo failed:\n%s", res)
	}
	for _, want := range []*regexp.Regexp{
		// A new hire has no password: activated, Kari is PROVISIONED until
		// she finishes Okta's welcome flow, which the demo plays.
		regexp.MustCompile(`activated the account \(status PROVISIONED`),
		regexp.MustCompile(`Kari Nordmann follows the link in Okta's welcome email and sets a password: status ACTIVE`),
		regexp.MustCompile(`kari\.nordmann@acme\.example\s+INC\d{7}\s+approved\s+ACTIVE\s+Employees, VPN Users\s+Slack, Zoom\s+7 Closed`),
		regexp.MustCompile(`ola\.hansen@acme\.example\s+INC\d{7}\s+rejected\s+DEPROVISIONED\s+-\s+-\s+8 Canceled`),
		regexp.MustCompile(`request_approval\s+2 succeeded`),
		regexp.MustCompile(`provision_on_approval\s+1 succeeded`),
		regexp.MustCompile(`on_rejection\s+1 succeeded`),
	} {
		if !want.MatchString(res.stdout) {
			t.Errorf("the demo's summary lacks %s:\n%s", want, res.stdout)
		}
	}

	db := dir + "/cardflow.db"
	if want := "`cardflow history --db " + db + "` and `cardflow show ID --db " + db + "`."; !strings.Contains(res.stdout, want) {
		t.Errorf("the demo does not point at its kept store with %s:\n%s", want, res.stdout)
	}
	hist := run(t, nil, "history", "--db", db, "--format", "json")
	var h struct {
		Executions []struct {
			ID     string `json:"id"`
			Flow   string `json:"flow"`
			Status string `json:"status"`
		} `json:"executions"`
	}
	if err := json.Unmarshal([]byte(hist.stdout), &h); err != nil || hist.code != 0 {
		t.Fatalf("history --format json: %v\n%s", err, hist)
	}
	if len(h.Executions) != 4 {
		t.Fatalf("want 4 executions in the history, got %d:\n%s", len(h.Executions), hist.stdout)
	}
	var provision string
	for _, ex := range h.Executions {
		if ex.Flow == "provision_on_approval" {
			provision = ex.ID
		}
	}
	show := run(t, nil, "show", provision, "--db", db)
	if show.code != 0 {
		t.Fatalf("show failed:\n%s", show)
	}
	for _, card := range []string{"approval", "not_waiting", "add_groups[Employees]", "add_groups[VPN Users]", "activate", "assign_apps[Slack]", "assign_apps[Zoom]", "close", "done"} {
		if !strings.Contains(show.stdout, card) {
			t.Errorf("show lacks card %s:\n%s", card, show.stdout)
		}
	}
	if !regexp.MustCompile(`not_waiting\s+skipped`).MatchString(show.stdout) {
		t.Errorf("not_waiting must be skipped for an approval:\n%s", show.stdout)
	}
	if strings.Contains(show.stdout, "cardflow-dev") {
		t.Errorf("the ServiceNow password leaked into show:\n%s", show.stdout)
	}
	filtered := run(t, nil, "history", "--db", db, "--flow", "on_rejection")
	if filtered.code != 0 || strings.Count(strings.TrimSpace(filtered.stdout), "\n") != 1 || !strings.Contains(filtered.stdout, "on_rejection") {
		t.Errorf("history --flow on_rejection: want one execution\n%s", filtered)
	}
	// --text finds a user's executions by a word of their name.
	bySurname := run(t, nil, "history", "--db", db, "--text", "HANSEN")
	if bySurname.code != 0 || strings.Count(strings.TrimSpace(bySurname.stdout), "\n") != 1 || !strings.Contains(bySurname.stdout, "request_approval") {
		t.Errorf("history --text HANSEN: want Ola Hansen's request_approval execution\n%s", bySurname)
	}
	if none := run(t, nil, "history", "--db", db, "--text", "ansen"); none.code != 0 || strings.Count(strings.TrimSpace(none.stdout), "\n") != 0 {
		t.Errorf("history --text ansen: want no execution (a term matches from its start)\n%s", none)
	}
	if res := run(t, nil, "show", "ex_nope", "--db", db); res.code != 1 {
		t.Errorf("show of an unknown id: want exit 1\n%s", res)
	}
}
