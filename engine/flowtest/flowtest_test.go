package flowtest_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/flowtest"
	"github.com/cardflow/cardflow/engine/flowtest/emulators"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const fixtures = "../../testdata/flowtest"

func registry() *connector.Registry {
	return connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
}

func options() flowtest.Options {
	return flowtest.Options{Registry: registry(), Emulators: emulators.Default()}
}

// load reads a directory of flows and tests and fails on any error.
func load(t *testing.T, dir string) *flowtest.Suite {
	t.Helper()
	suite, diags := flowtest.Load([]string{dir}, options())
	if diags.HasErrors() {
		t.Fatalf("loading %s: %s", dir, diags.Error())
	}
	return suite
}

func run(t *testing.T, suite *flowtest.Suite) *flowtest.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opts := options()
	opts.Filter = suite.Filter(nil)
	return flowtest.Run(ctx, suite.Config, opts)
}

// TestExamples runs the tests of the example flows: they must all pass.
func TestExamples(t *testing.T) {
	report := run(t, load(t, "../../flows"))
	if len(report.Runs) < 15 {
		t.Errorf("only %d runs in flows/: the example tests are missing", len(report.Runs))
	}
	for _, r := range report.Runs {
		if !r.Passed {
			t.Errorf("%s: %q failed:\n%s", r.File, r.Name, diagText(r.Diagnostics))
		}
	}
}

// marker is a "# FAIL: Summary" (or ERROR, WARNING) comment in a fixture.
var marker = regexp.MustCompile(`#\s*(FAIL|ERROR|WARNING):\s*(.+?)\s*$`)

// markers returns "file:line: Summary" for every marker of kinds in the
// .hcl files of dir.
func markers(t *testing.T, dir string, kinds ...string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for line := 1; sc.Scan(); line++ {
			if m := marker.FindStringSubmatch(sc.Text()); m != nil && contains(kinds, m[1]) {
				out = append(out, fmt.Sprintf("%s:%d: %s", f, line, m[2]))
			}
		}
		fh.Close()
	}
	sort.Strings(out)
	return out
}

func located(diags hcl.Diagnostics, severity hcl.DiagnosticSeverity) []string {
	var out []string
	for _, d := range diags {
		if d.Severity != severity {
			continue
		}
		if d.Subject == nil {
			out = append(out, "(no range): "+d.Summary)
			continue
		}
		out = append(out, fmt.Sprintf("%s:%d: %s", d.Subject.Filename, d.Subject.Start.Line, d.Summary))
	}
	sort.Strings(out)
	return out
}

// TestFailingFixtures runs testdata/flowtest/failing: deliberately broken
// flows and tests whose expectations do not hold. Every run must fail, with
// exactly the diagnostics marked "# FAIL: <Summary>", at the marked lines.
func TestFailingFixtures(t *testing.T) {
	dir := filepath.Join(fixtures, "failing")
	report := run(t, load(t, dir))
	if len(report.Runs) == 0 {
		t.Fatal("no runs")
	}
	var all hcl.Diagnostics
	for _, r := range report.Runs {
		if r.Passed {
			t.Errorf("%s: %q passed; every run of %s must fail", r.File, r.Name, dir)
		}
		all = append(all, r.Diagnostics...)
	}
	if diff := cmp.Diff(markers(t, dir, "FAIL"), located(all, hcl.DiagError)); diff != "" {
		t.Errorf("diagnostics differ from the # FAIL markers (-want +got):\n%s\n%s", diff, diagText(all))
	}
}

// TestBrokenFlowFailsAtAssert is the contract of issue 7 spelled out: a
// deliberately broken flow fails its test with the assert's file, line and
// column and its error_message.
func TestBrokenFlowFailsAtAssert(t *testing.T) {
	report := run(t, load(t, filepath.Join(fixtures, "failing")))
	r := find(t, report, "grants both groups")
	var d *hcl.Diagnostic
	for _, x := range r.Diagnostics {
		if x.Summary == "Test assertion failed" {
			d = x
		}
	}
	if d == nil {
		t.Fatalf("no failed assert among:\n%s", diagText(r.Diagnostics))
	}
	want := hcl.Pos{Line: 13, Column: 21}
	if got := d.Subject; got == nil || !strings.HasSuffix(got.Filename, "failing/broken_flow.test.hcl") || got.Start.Line != want.Line || got.Start.Column != want.Column {
		t.Errorf("assert failure at %v, want broken_flow.test.hcl:%d,%d", d.Subject, want.Line, want.Column)
	}
	if d.Detail != "The user must join both groups." {
		t.Errorf("detail %q, want the assert's error_message", d.Detail)
	}
	if d.Expression == nil || d.EvalContext == nil {
		t.Error("the diagnostic carries no expression and context, so the writer cannot show the values")
	}
}

// TestMockedCallsAreChecked: a test that expects add_user_to_group for two
// groups fails when the flow adds one, and passes when it adds both.
func TestMockedCallsAreChecked(t *testing.T) {
	flow := func(forEach string) string {
		return `
connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
flow "grant" {
  trigger "flow.called" {}
  card "add_groups" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    for_each   = ` + forEach + `
    user       = trigger.input.user
    group      = each.value
  }
}
`
	}
	const test = `
run "two groups" {
  flow    = flow.grant
  trigger = { input = { user = "00u1kari0nordmann0h7" } }
  mock "okta.add_user_to_group" {}
  expect_call "okta.add_user_to_group" {
    with = { group = "Employees" }
    count = 1
  }
  expect_call "okta.add_user_to_group" {
    with = { group = "VPN Users" }
    count = 1
  }
}
`
	tests := []struct {
		name    string
		forEach string
		failAt  []int // lines of the failed expect_call blocks
	}{
		{"adds both", `["Employees", "VPN Users"]`, nil},
		{"adds one", `["Employees"]`, []int{10}},
		{"adds both and another", `["VPN Users", "Employees", "Sales"]`, nil},
		// A map keyed by something else than the group adds the repeated
		// group twice, and count = 1 catches it.
		{"adds one twice", `{ a = "VPN Users", b = "VPN Users", c = "Employees" }`, []int{10}},
		// Many instances: the two expected calls among forty others.
		{"adds both among many", `concat(["Employees", "VPN Users"], [for i in range(40) : "group-${i}"])`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loadSources(t, map[string]string{"flows.hcl": flow(tt.forEach), "grant.test.hcl": test})
			report := flowtest.Run(context.Background(), cfg, options())
			r := report.Runs[0]
			var lines []int
			for _, d := range r.Diagnostics {
				if d.Summary != "Unexpected calls" {
					t.Errorf("unexpected diagnostic: %s", diagText(hcl.Diagnostics{d}))
					continue
				}
				lines = append(lines, d.Subject.Start.Line)
			}
			if diff := cmp.Diff(tt.failAt, lines); diff != "" {
				t.Errorf("failed expect_call lines (-want +got):\n%s", diff)
			}
			if r.Passed != (len(tt.failAt) == 0) {
				t.Errorf("passed = %v", r.Passed)
			}
		})
	}
}

// TestRetriesDoNotSleep: a rate limit with an hour-long Retry-After costs
// no wall-clock time in a test.
func TestRetriesDoNotSleep(t *testing.T) {
	cfg := loadSources(t, map[string]string{
		"flows.hcl": `
connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
flow "read" {
  trigger "flow.called" {}
  card "user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.input.user
  }
}
`,
		"read.test.hcl": `
run "slow server" {
  flow    = flow.read
  trigger = { input = { user = "00u1kari0nordmann0h7" } }
  mock "card.user" {
    error = { status = 429, retry_after = "50m" }
    times = 4
  }
  mock "okta.read_user" { output = { id = input.user, status = "ACTIVE" } }
  assert {
    condition     = card.user.status == "ACTIVE"
    error_message = "The fifth attempt must succeed."
  }
  expect_call "card.user" { count = 5 }
}
`,
	})
	start := time.Now()
	report := flowtest.Run(context.Background(), cfg, options())
	r := report.Runs[0]
	if !r.Passed {
		t.Fatalf("run failed:\n%s", diagText(r.Diagnostics))
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("the run took %s: retries slept", elapsed)
	}
	if r.Waited < 200*time.Minute {
		t.Errorf("waited %s, want at least 4 × 50m of skipped delay", r.Waited)
	}
	if r.Status != store.Succeeded {
		t.Errorf("status %s", r.Status)
	}
}

// TestInvalidFixtures checks testdata/flowtest/invalid: the mistakes a test
// author can make, each marked "# ERROR: <Summary>" or "# WARNING:" on its
// line, are reported by Load (and validate) before anything runs.
func TestInvalidFixtures(t *testing.T) {
	dir := filepath.Join(fixtures, "invalid")
	_, diags := flowtest.Load([]string{dir}, options())
	if diff := cmp.Diff(markers(t, dir, "ERROR"), located(diags, hcl.DiagError)); diff != "" {
		t.Errorf("errors differ from the # ERROR markers (-want +got):\n%s\n%s", diff, diagText(diags))
	}
	if diff := cmp.Diff(markers(t, dir, "WARNING"), located(diags, hcl.DiagWarning)); diff != "" {
		t.Errorf("warnings differ from the # WARNING markers (-want +got):\n%s", diff)
	}
}

// TestSingleTestFile: naming a test file runs only its runs, with the
// flows of its directory.
func TestSingleTestFile(t *testing.T) {
	path := filepath.Join(fixtures, "failing", "unmocked.test.hcl")
	suite, diags := flowtest.Load([]string{path}, options())
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	report := run(t, suite)
	if len(report.Runs) != 3 {
		t.Fatalf("%d runs, want the 3 of %s", len(report.Runs), path)
	}
	for _, r := range report.Runs {
		if filepath.Base(r.File) != "unmocked.test.hcl" {
			t.Errorf("ran %s", r.File)
		}
	}
}

func loadSources(t *testing.T, files map[string]string) *config.Config {
	t.Helper()
	srcs := map[string][]byte{}
	for name, src := range files {
		srcs[name] = []byte(src)
	}
	cfg, diags := config.LoadSources(srcs, registry())
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return cfg
}

func find(t *testing.T, report *flowtest.Report, name string) *flowtest.RunResult {
	t.Helper()
	for _, r := range report.Runs {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no run %q", name)
	return nil
}

func diagText(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "  %s: %s: %s\n", d.Subject, d.Summary, d.Detail)
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestUnusedActionFollowsFlowCalls: the "Action not used by the flow"
// warning looks into the flows a synchronous flow.call runs, wherever it
// can tell which; it stays for flows only called asynchronously, which a
// test does not run.
func TestUnusedActionFollowsFlowCalls(t *testing.T) {
	const helper = `
connection "okta" "main" {
  org_url = "https://acme.okta.com"
  token   = env("OKTA_API_TOKEN")
}

flow "lookup" {
  trigger "flow.called" {}
  card "read" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.input.user
  }
}

flow "noop" {
  trigger "flow.called" {}
  card "done" {
    action = flow.return
    result = {}
  }
}
`
	tests := []struct {
		name, call string
		warn       bool
	}{
		{"a conditional between flows", `flow = trigger.input.fast ? flow.noop : flow.lookup`, false},
		{"a flow named at run time", `flow = trigger.input.flow`, false},
		{"a flow named as text", `flow = "lookup"`, false},
		{"an asynchronous call", "flow = flow.lookup\n    async = true", true},
		{"a call of another flow", `flow = flow.noop`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			flows := helper + `
flow "main" {
  trigger "flow.called" {}
  card "call" {
    action = flow.call
    ` + tt.call + `
    input  = { user = trigger.input.user }
  }
}
`
			tests := `
run "r" {
  flow    = flow.main
  trigger = { input = { user = "00u1", fast = false, flow = "lookup" } }
  mock "okta.read_user" { output = { id = "00u1" } }
}
`
			for name, src := range map[string]string{"flows.hcl": flows, "main.test.hcl": tests} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, diags := flowtest.Load([]string{dir}, options())
			if diags.HasErrors() {
				t.Fatal(diagText(diags))
			}
			warned := false
			for _, d := range diags {
				warned = warned || d.Summary == "Action not used by the flow"
			}
			if warned != tt.warn {
				t.Errorf("warned = %v, want %v:\n%s", warned, tt.warn, diagText(diags))
			}
		})
	}
}

// TestUnmockedHintOffersOnlyRealEmulators: the diagnostic of an unmocked
// action suggests an emulator block only for a connector that has a
// built-in emulator; for http.request, which has none, a mock.
func TestUnmockedHintOffersOnlyRealEmulators(t *testing.T) {
	const flows = `
connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
flow "notify" {
  trigger "flow.called" {}
  card "post" {
    action = http.request
    method = "POST"
    url    = "https://hooks.example.com/notify"
  }
}
flow "activate" {
  trigger "flow.called" {}
  card "activate" {
    action     = okta.activate_user
    connection = connection.okta.main
    user       = "00u1kari0nordmann0h7"
  }
}
`
	const tests = `
run "http" {
  flow = flow.notify
}
run "okta" {
  flow = flow.activate
}
`
	cfg := loadSources(t, map[string]string{"flows.hcl": flows, "notify.test.hcl": tests})
	report := flowtest.Run(context.Background(), cfg, options())
	want := map[string]string{
		"http": `Card "post" calls http.request, which no mock answers and no emulator serves; tests never reach a real http. ` +
			`Add mock "http.request" { output = { … } } (or mock "card.post") to this run: http has no built-in emulator.`,
		"okta": `Card "activate" calls okta.activate_user, which no mock answers and no emulator serves; tests never reach a real okta. ` +
			`Add mock "okta.activate_user" { output = { … } } (or mock "card.activate") to this run, or emulator "okta" {} to serve it from the built-in emulator.`,
	}
	for name, detail := range want {
		r := find(t, report, name)
		var got []string
		for _, d := range r.Diagnostics {
			if d.Summary == "Unmocked action" {
				got = append(got, d.Detail)
			}
		}
		if diff := cmp.Diff([]string{detail}, got); diff != "" {
			t.Errorf("run %q: Unmocked action details (-want +got):\n%s", name, diff)
		}
	}
}
