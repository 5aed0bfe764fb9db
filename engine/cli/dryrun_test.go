package cli_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine/seed"
	"github.com/google/go-cmp/cmp"
)

// dryRunEnv has secrets whose values must never appear in any output.
var dryRunEnv = []string{
	"OKTA_ORG_URL=https://acme.okta.com",
	"OKTA_API_TOKEN=very-secret-okta-token",
	"OKTA_EVENT_HOOK_SECRET=very-secret-hook",
	"SERVICENOW_INSTANCE_URL=https://acme.service-now.com",
	"SERVICENOW_USERNAME=svc.cardflow",
	"SERVICENOW_PASSWORD=very-secret-password",
}

type dryRunJSON struct {
	Flow         string `json:"flow"`
	WouldSucceed bool   `json:"would_succeed"`
	Execution    struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Cards  []struct {
			Card   string `json:"card"`
			Key    string `json:"key"`
			Status string `json:"status"`
		} `json:"cards"`
	} `json:"execution"`
	Writes []struct {
		Card     string          `json:"card"`
		Action   string          `json:"action"`
		Input    json.RawMessage `json:"input"`
		Emulated bool            `json:"emulated"`
	} `json:"intercepted_writes"`
}

func dryRunReport(t *testing.T, args ...string) (result, dryRunJSON) {
	t.Helper()
	res := run(t, dryRunEnv, append([]string{"dry-run", "--format", "json"}, args...)...)
	var rep dryRunJSON
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
		t.Fatalf("dry-run output is not JSON: %v\n%s", err, res)
	}
	for _, secret := range []string{"very-secret-okta-token", "very-secret-hook", "very-secret-password"} {
		if strings.Contains(res.stdout+res.stderr, secret) {
			t.Errorf("a secret leaked into the dry-run output:\n%s", res)
		}
	}
	return res, rep
}

func TestDryRunRequestApprovalInterceptsTheIncident(t *testing.T) {
	res, rep := dryRunReport(t, "request_approval",
		"--event", "testdata/event-hook-user-created.json", "--seed", "testdata/dryrun-seed.json", "../../flows")
	if res.code != 0 || !rep.WouldSucceed || rep.Execution.Status != "succeeded" {
		t.Fatalf("want a successful dry run:\n%s", res)
	}
	if len(rep.Writes) != 1 || rep.Writes[0].Action != "servicenow.create_record" || rep.Writes[0].Card != "incident" {
		t.Fatalf("want exactly the incident creation intercepted, got %+v", rep.Writes)
	}
	var in struct {
		Fields map[string]string `json:"fields"`
		Key    string            `json:"idempotency_key"`
	}
	if err := json.Unmarshal(rep.Writes[0].Input, &in); err != nil {
		t.Fatal(err)
	}
	if in.Fields["correlation_id"] != "00u8newUsEr1234abc0h7" || in.Fields["correlation_display"] != "cardflow" || in.Key != "00u8newUsEr1234abc0h7" {
		t.Errorf("incident inputs = %+v", in)
	}
	if !strings.Contains(in.Fields["description"], "Department: Finance") {
		t.Errorf("the description was not composed from the profile the emulator served: %q", in.Fields["description"])
	}
}

func TestDryRunProvisionOnApproval(t *testing.T) {
	res, rep := dryRunReport(t, "provision_on_approval",
		"--event", "testdata/incident-resolved.json", "--seed", "testdata/dryrun-seed.json", "../../flows")
	if res.code != 0 || rep.Execution.Status != "succeeded" {
		t.Fatalf("want a successful dry run:\n%s", res)
	}
	var got []string
	for _, w := range rep.Writes {
		got = append(got, w.Card+" "+w.Action)
	}
	want := []string{
		"add_groups okta.add_user_to_group",
		"add_groups okta.add_user_to_group",
		"activate okta.activate_user",
		"assign_apps okta.assign_user_to_app",
		"assign_apps okta.assign_user_to_app",
		"close servicenow.close_incident",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("intercepted writes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDryRunReadsServiceNow: a read of ServiceNow is served by the dry
// run's emulator, seeded with its demo users when no --seed is given; the
// emulator's seeded service account password is not needed.
func TestDryRunReadsServiceNow(t *testing.T) {
	res, rep := dryRunReport(t, "lookup", "--event", "testdata/dryrun-read-event.json", "testdata/dryrun-read")
	if res.code != 0 || !rep.WouldSucceed || rep.Execution.Status != "succeeded" {
		t.Fatalf("want the lookup to succeed against the emulator:\n%s", res)
	}
	if !strings.Contains(res.stdout, "beth.anglin") {
		t.Errorf("the search did not find the demo user beth.anglin:\n%s", res.stdout)
	}
}

// TestDryRunWarnsOfAMisspeltField: a dry run is where a field ServiceNow
// would drop without an error shows up as missing, so the load's warning
// is printed before the report, and the JSON report carries it.
func TestDryRunWarnsOfAMisspeltField(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"connections.hcl", "variables.hcl", "request_approval.hcl"} {
		b, err := os.ReadFile(filepath.Join("../../flows/onboarding", name))
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.Replace(b, []byte("short_description   ="), []byte("short_descripton    ="), 1)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"request_approval", "--event", "testdata/event-hook-user-created.json", "--seed", "testdata/dryrun-seed.json", dir}
	res := run(t, dryRunEnv, append([]string{"dry-run"}, args...)...)
	if res.code != 0 || !strings.Contains(res.stdout, "The flow would end succeeded.") {
		t.Fatalf("want the dry run to succeed:\n%s", res)
	}
	for _, want := range []string{"Warning: Unknown ServiceNow field", "request_approval.hcl:38:7", `Did you mean "short_description"?`} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res)
		}
	}
	jres, _ := dryRunReport(t, args...)
	var rep struct {
		Diagnostics []struct{ Severity, Summary string } `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(jres.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Diagnostics) != 1 || rep.Diagnostics[0].Severity != "warning" || rep.Diagnostics[0].Summary != "Unknown ServiceNow field" {
		t.Errorf("JSON diagnostics = %+v, want the one warning", rep.Diagnostics)
	}
	if strings.Contains(jres.stderr, "Warning") {
		t.Errorf("with --format json the warning is in the report, not on stderr:\n%s", jres)
	}
}

// welcomeWith writes the welcome flow of testdata/welcome with its
// join_employees card's group replaced, and a card conditioned on it.
func welcomeWith(t *testing.T, group string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/welcome/welcome.hcl")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(b), `group      = "Employees"`, fmt.Sprintf("group      = %q", group), 1)
	src = strings.TrimSuffix(strings.TrimSpace(src), "}") + `
  card "note" {
    action = text.compose
    if     = "card.join_employees.changed"
    text   = "Welcome ${card.read_user.first_name}"
  }
}
`
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "welcome.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDryRunWritesRunAgainstTheEmulators: the dry run's writes go to its
// own emulators, so a card conditioned on a write's changed runs as it
// would in production, and a write the seeded tenant would refuse (a group
// it lacks) fails the dry run as it would fail the execution.
func TestDryRunWritesRunAgainstTheEmulators(t *testing.T) {
	statuses := func(rep dryRunJSON) map[string]string {
		out := map[string]string{}
		for _, c := range rep.Execution.Cards {
			out[c.Card] = c.Status
		}
		return out
	}
	res, rep := dryRunReport(t, "welcome", "--event", onboardingEvent, "--seed", "testdata/welcome/seed.json", welcomeWith(t, "Employees"))
	if res.code != 0 || !rep.WouldSucceed {
		t.Fatalf("want a successful dry run:\n%s", res)
	}
	if diff := cmp.Diff(map[string]string{"read_user": "ok", "join_employees": "ok", "note": "ok"}, statuses(rep)); diff != "" {
		t.Errorf("card statuses (-want +got):\n%s", diff)
	}
	if len(rep.Writes) != 1 || rep.Writes[0].Action != "okta.add_user_to_group" || !rep.Writes[0].Emulated {
		t.Errorf("want the group membership reported as an emulated write, got %+v", rep.Writes)
	}

	res, rep = dryRunReport(t, "welcome", "--event", onboardingEvent, "--seed", "testdata/welcome/seed.json", welcomeWith(t, "NoSuchGroup"))
	if res.code != 1 || rep.WouldSucceed || !strings.Contains(rep.Execution.Error, "NoSuchGroup") {
		t.Fatalf("want the dry run to fail on the group the seed lacks:\n%s", res)
	}
	if got := statuses(rep); got["join_employees"] != "error" || got["note"] == "ok" {
		t.Errorf("card statuses %v: join_employees must fail, note not run", got)
	}
}

// TestDryRunLiveSendsNoWrite: with --live the flow reads the tenant the
// environment configures (an Okta emulator standing in for it, which fails
// the test on anything but a GET) and sends it no write; the write's
// placeholder output says it changed something, so the card conditioned
// on it runs.
func TestDryRunLiveSendsNoWrite(t *testing.T) {
	sf, err := seed.Read("testdata/welcome/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	tenant := oktaemu.New(oktaemu.Options{Token: "live-token-0123456789"})
	defer tenant.Close()
	if err := tenant.Seed(*sf.Okta); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			t.Errorf("a live dry run sent %s %s", r.Method, r.URL.Path)
		}
		tenant.ServeHTTP(w, r)
	}))
	defer srv.Close()
	env := []string{"OKTA_ORG_URL=" + srv.URL, "OKTA_API_TOKEN=live-token-0123456789", "OKTA_EVENT_HOOK_SECRET=live-hook-secret-0123"}
	res := run(t, env, "dry-run", "--live", "welcome", "--event", onboardingEvent, welcomeWith(t, "Employees"))
	if res.code != 0 {
		t.Fatalf("want a successful dry run:\n%s", res)
	}
	for _, want := range []string{
		"Dry run of welcome against the live tenants, reading only: no write was sent.",
		"Writes that would be sent (1):",
		`"group":"Employees"`,
		`Welcome Kari`,
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("the report lacks %q:\n%s", want, res)
		}
	}
	if strings.Contains(res.stdout, "(emulated)") || strings.Contains(res.stdout, "live-token") {
		t.Errorf("a live dry run's write is not emulated, and its token is secret:\n%s", res)
	}
}

// TestDryRunRefusesAnUnsetVariable: a variable without a default and
// without a value stops run before it starts; it stops a dry run too,
// with the same diagnostic, as a usage error, with or without --live.
func TestDryRunRefusesAnUnsetVariable(t *testing.T) {
	dir := welcomeWith(t, "Employees")
	greeting := `
variable "greeting" {
  type = string
}
`
	f, err := os.OpenFile(filepath.Join(dir, "welcome.hcl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(greeting); err != nil {
		t.Fatal(err)
	}
	f.Close()
	args := []string{"dry-run", "welcome", "--event", onboardingEvent, "--seed", "testdata/welcome/seed.json"}
	liveEnv := []string{"OKTA_ORG_URL=http://127.0.0.1:1", "OKTA_API_TOKEN=t0123456789", "OKTA_EVENT_HOOK_SECRET=s0123456789"}
	for name, tc := range map[string]struct {
		env  []string
		args []string
	}{
		"emulators": {nil, append(args, dir)},
		"live":      {liveEnv, append(args, "--live", dir)},
	} {
		t.Run(name, func(t *testing.T) {
			res := run(t, tc.env, tc.args...)
			if res.code != 2 || res.stdout != "" {
				t.Fatalf("want exit 2 before anything runs:\n%s", res)
			}
			for _, want := range []string{"No value for required variable", `The variable "greeting" has no default: set it with --var greeting=…`} {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res)
				}
			}
		})
	}
	if res := run(t, nil, append(args, "--var", "greeting=Hello", dir)...); res.code != 0 {
		t.Errorf("with the variable set, the dry run runs:\n%s", res)
	}
}
