package cli_test

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/google/go-cmp/cmp"
)

// repoRoot is where the flow test tests run, so that paths in the output
// read as users see them (flows/…, testdata/flowtest/…).
const repoRoot = "../.."

func TestTestJSON(t *testing.T) {
	t.Chdir(repoRoot)
	r := run(t, nil, "test", "--format", "json", "testdata/flowtest/failing")
	if r.code != cli.ExitFailed {
		t.Fatalf("exit %d:\n%s", r.code, r)
	}
	var doc struct {
		FormatVersion string `json:"format_version"`
		Passed        *bool  `json:"passed"`
		PassCount     *int   `json:"pass_count"`
		FailCount     *int   `json:"fail_count"`
		DurationMS    *int64 `json:"duration_ms"`
		Runs          []struct {
			File            string         `json:"file"`
			Run             string         `json:"run"`
			Flow            string         `json:"flow"`
			Result          string         `json:"result"`
			ExecutionStatus string         `json:"execution_status"`
			Executions      int            `json:"executions"`
			Calls           map[string]int `json:"calls"`
			WaitedMS        int64          `json:"waited_ms"`
			DurationMS      int64          `json:"duration_ms"`
			Diagnostics     []struct {
				Severity string `json:"severity"`
				Summary  string `json:"summary"`
				Detail   string `json:"detail"`
				Range    struct {
					Filename string `json:"filename"`
					Start    struct{ Line, Column int }
				} `json:"range"`
				Snippet struct {
					Code string `json:"code"`
				} `json:"snippet"`
			} `json:"diagnostics"`
		} `json:"runs"`
		Diagnostics []any `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, r.stdout)
	}
	// The shape is a contract: exactly these keys.
	var shape struct {
		Top  map[string]json.RawMessage
		Runs []map[string]json.RawMessage `json:"runs"`
	}
	_ = json.Unmarshal([]byte(r.stdout), &shape.Top)
	_ = json.Unmarshal([]byte(r.stdout), &shape)
	wantTop := []string{"diagnostics", "duration_ms", "fail_count", "format_version", "pass_count", "passed", "runs"}
	if diff := cmp.Diff(wantTop, connector.SortedKeys(shape.Top)); diff != "" {
		t.Errorf("top-level keys (-want +got):\n%s", diff)
	}
	wantRun := []string{"calls", "diagnostics", "duration_ms", "execution_status", "executions", "file", "flow", "result", "run", "waited_ms"}
	if diff := cmp.Diff(wantRun, connector.SortedKeys(shape.Runs[0])); diff != "" {
		t.Errorf("run keys (-want +got):\n%s", diff)
	}
	if doc.FormatVersion != "1.0" || doc.Passed == nil || *doc.Passed || doc.PassCount == nil || *doc.PassCount != 0 ||
		doc.FailCount == nil || *doc.FailCount != 5 || doc.DurationMS == nil || doc.Diagnostics == nil {
		t.Errorf("envelope: %s", r.stdout)
	}
	if len(doc.Runs) != 5 {
		t.Fatalf("%d runs", len(doc.Runs))
	}
	first := doc.Runs[0]
	if first.File != "testdata/flowtest/failing/broken_flow.test.hcl" || first.Run != "grants both groups" || first.Flow != "grant" ||
		first.Result != "fail" || first.ExecutionStatus != "succeeded" || first.Executions != 1 {
		t.Errorf("first run: %+v", first)
	}
	if diff := cmp.Diff(map[string]int{"okta.add_user_to_group": 1, "okta.activate_user": 1}, first.Calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	d := first.Diagnostics[0]
	if d.Severity != "error" || d.Summary != "Test assertion failed" || d.Detail != "The user must join both groups." ||
		d.Range.Filename != first.File || d.Range.Start.Line != 13 || d.Range.Start.Column != 21 ||
		!strings.Contains(d.Snippet.Code, "length(card.add_groups) == 2") {
		t.Errorf("first diagnostic: %+v", d)
	}
}

func TestTestJUnitXML(t *testing.T) {
	t.Chdir(repoRoot)
	tests := []struct {
		dir             string
		code            int
		tests, failures int // tests: at least
	}{
		{"testdata/flowtest/failing", cli.ExitFailed, 5, 5},
		{"flows", cli.ExitOK, 15, 0},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "junit.xml")
			r := run(t, nil, "test", "--junit-xml", path, tt.dir)
			if r.code != tt.code {
				t.Fatalf("exit %d:\n%s", r.code, r)
			}
			checkJUnit(t, path, tt.tests, tt.failures)
		})
	}
}

func checkJUnit(t *testing.T, path string, wantTests, wantFailures int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML header:\n%s", data)
	}
	type problem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Time     string `xml:"time,attr"`
			Cases    []struct {
				Name      string   `xml:"name,attr"`
				Classname string   `xml:"classname,attr"`
				Time      string   `xml:"time,attr"`
				Failure   *problem `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, data)
	}
	if doc.Failures != wantFailures || doc.Tests < wantTests {
		t.Errorf("testsuites: tests=%d failures=%d", doc.Tests, doc.Failures)
	}
	total, failures := 0, 0
	for _, s := range doc.Suites {
		n, f := 0, 0
		for _, c := range s.Cases {
			n++
			if c.Failure != nil {
				f++
				if c.Failure.Message == "" || !strings.Contains(c.Failure.Text, "Error: ") {
					t.Errorf("%s: %s: empty failure", s.Name, c.Name)
				}
			}
		}
		if n != s.Tests || f != s.Failures {
			t.Errorf("suite %s: tests=%d failures=%d, has %d cases %d failed", s.Name, s.Tests, s.Failures, n, f)
		}
		total, failures = total+n, failures+f
		if s.Name == "testdata/flowtest/failing/broken_flow.test.hcl" {
			c := s.Cases[0]
			if c.Classname != "failing.broken_flow" || c.Failure == nil ||
				c.Failure.Message != "testdata/flowtest/failing/broken_flow.test.hcl:13:21: Test assertion failed: The user must join both groups." {
				t.Errorf("broken flow case: %+v", c)
			}
		}
	}
	if total != doc.Tests || failures != doc.Failures {
		t.Errorf("totals %d/%d, cases %d/%d", doc.Tests, doc.Failures, total, failures)
	}
}

func TestTestFlags(t *testing.T) {
	tests := []struct {
		args []string
		want cli.TestOptions
		code int
	}{
		{args: nil, want: cli.TestOptions{Paths: []string{"flows"}, Format: "text"}},
		{args: []string{"--format", "json", "--junit-xml", "out.xml", "--run", "^approval", "a", "b"},
			want: cli.TestOptions{Paths: []string{"a", "b"}, Format: "json", JUnitXML: "out.xml", Run: "^approval"}},
		{args: []string{"--format", "yaml"}, code: cli.ExitUsage},
		{args: []string{"--run", "("}, code: cli.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *cli.TestOptions
			f := &cli.Factory{IO: &cli.IOStreams{Out: &strings.Builder{}, ErrOut: &strings.Builder{}}}
			cmd := cli.NewCmdTest(f, func(o *cli.TestOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(&strings.Builder{})
			cmd.SetErr(&strings.Builder{})
			err := cmd.Execute()
			if tt.code != 0 {
				if err == nil || got != nil {
					t.Fatalf("%v: err %v, options %v: want a usage error", tt.args, err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got.IO, got.F, got.Timeout, got.Parallel = nil, nil, 0, 0
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// TestTestGolden compares the text output of a failing suite with
// testdata/flowtest/golden (timings masked); go test -update rewrites it.
func TestTestGolden(t *testing.T) {
	t.Chdir(repoRoot)
	tests := []struct {
		name string
		args []string
	}{
		{"failing", []string{"test", "testdata/flowtest/failing"}},
		{"invalid", []string{"test", "testdata/flowtest/invalid"}},
	}
	timing := regexp.MustCompile(`\d+ms|\(\d+\.\d+s\)`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, tt.args...)
			got := timing.ReplaceAllString(r.String(), "TIME")
			path := filepath.Join("testdata/flowtest/golden", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./engine/cli/ -run TestTestGolden -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s differs (-want +got); go test ./engine/cli/ -run TestTestGolden -update rewrites it:\n%s", path, diff)
			}
		})
	}
}

// TestTestPrintsFlowWarnings: the flows' warnings (a misspelt ServiceNow
// field, which the instance would drop) show where a CI job runs the
// tests, and do not fail them.
func TestTestPrintsFlowWarnings(t *testing.T) {
	r := run(t, nil, "test", "../../testdata/warnings")
	if r.code != 0 || !strings.Contains(r.stdout, "1 passed, 0 failed") {
		t.Fatalf("want the run to pass:\n%s", r)
	}
	for _, want := range []string{"Warning: Unknown ServiceNow field", "open.hcl:12:20", `Did you mean "short_description"?`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r)
		}
	}
}

// TestTestRunMatchingNothing: a --run that selects no run of existing test
// files fails in every format, and no format says otherwise: text does not
// claim there are no test files, JSON does not say passed.
func TestTestRunMatchingNothing(t *testing.T) {
	t.Chdir(repoRoot)
	const wantErr = `Error: no run matches --run "NOMATCH": run names are the labels of run blocks`
	for _, format := range []string{"text", "json", "github"} {
		t.Run(format, func(t *testing.T) {
			r := run(t, nil, "test", "--format", format, "--run", "NOMATCH", "flows")
			if r.code != cli.ExitFailed || strings.TrimSpace(r.stderr) != wantErr {
				t.Fatalf("want exit 1 and only %q on stderr:\n%s", wantErr, r)
			}
			switch format {
			case "text":
				if r.stdout != "" {
					t.Errorf("stdout should be empty, the error says it all:\n%s", r.stdout)
				}
			case "json":
				var doc struct {
					Passed      *bool `json:"passed"`
					Diagnostics []struct{ Severity, Summary, Detail string }
				}
				if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
					t.Fatalf("%v:\n%s", err, r.stdout)
				}
				want := []struct{ Severity, Summary, Detail string }{{"error", "No run matches --run",
					`No run's name matches --run "NOMATCH": run names are the labels of run blocks.`}}
				if doc.Passed == nil || *doc.Passed {
					t.Errorf("passed is not false:\n%s", r.stdout)
				}
				if diff := cmp.Diff(want, doc.Diagnostics); diff != "" {
					t.Errorf("diagnostics (-want +got):\n%s", diff)
				}
			case "github":
				if !strings.HasPrefix(r.stdout, "::error title=No run matches --run::") {
					t.Errorf("no error annotation:\n%s", r.stdout)
				}
			}
		})
	}
}
