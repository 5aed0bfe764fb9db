package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cardflow/cardflow/engine/flowtest"
	"github.com/hashicorp/hcl/v2"
)

// writeTestText prints one line per run, the diagnostics of failed runs
// (with source snippets) and a summary. noMatch, a --run that selected no
// run, is the caller's to print: the suite is not empty then.
func writeTestText(io *IOStreams, files map[string]*hcl.File, diags hcl.Diagnostics, report *flowtest.Report, noMatch error) {
	writeDiagnosticsText(io.ErrOut, files, diags, io.colorErr)
	if diags.HasErrors() {
		errs, _ := countDiags(diags)
		fmt.Fprintf(io.ErrOut, "The flow or test files are not valid (%s): no run was executed.\n", plural(errs, "error"))
		return
	}
	if noMatch != nil {
		return
	}
	if len(report.Runs) == 0 {
		fmt.Fprintln(io.Out, "No flow tests to run: add *.test.hcl files with run blocks beside the flows.")
		return
	}
	for _, r := range report.Runs {
		verdict := "PASS"
		if !r.Passed {
			verdict = "FAIL"
		}
		fmt.Fprintf(io.Out, "%s  %s: %s (%s%s)\n", verdict, r.File, r.Name, runStatus(r), durationText(r))
		if !r.Passed {
			writeDiagnosticsText(io.ErrOut, files, r.Diagnostics, io.colorErr)
		}
	}
	fmt.Fprintf(io.Out, "\n%d passed, %d failed, %s in %s (%.2fs).\n",
		report.Passed(), report.Failed(), plural(len(report.Runs), "run"), plural(testFileCount(report), "file"), report.Duration.Seconds())
}

// writeTestGitHub prints the text summary with GitHub Actions workflow
// commands for the diagnostics, which become annotations on the pull
// request's failing lines.
func writeTestGitHub(io *IOStreams, diags hcl.Diagnostics, report *flowtest.Report, unmatched string) {
	writeDiagnosticsGitHub(io.Out, diags)
	if unmatched != "" {
		writeDiagnosticsGitHub(io.Out, hcl.Diagnostics{unmatchedRun(unmatched)})
	}
	for _, r := range report.Runs {
		verdict := "PASS"
		if !r.Passed {
			verdict = "FAIL"
		}
		fmt.Fprintf(io.Out, "%s  %s: %s (%s%s)\n", verdict, r.File, r.Name, runStatus(r), durationText(r))
		if !r.Passed {
			writeDiagnosticsGitHub(io.Out, r.Diagnostics)
		}
	}
	fmt.Fprintf(io.Out, "%d passed, %d failed\n", report.Passed(), report.Failed())
}

func runStatus(r *flowtest.RunResult) string {
	if r.Status == "" {
		return "not executed"
	}
	s := string(r.Status)
	if r.Executions > 1 {
		s = fmt.Sprintf("%d executions, last %s", r.Executions, s)
	}
	return s
}

func durationText(r *flowtest.RunResult) string {
	s := fmt.Sprintf(", %dms", r.Duration.Milliseconds())
	if r.Waited > 0 {
		s += fmt.Sprintf(", %s of retry delay skipped", r.Waited)
	}
	return s
}

func testFileCount(report *flowtest.Report) int {
	seen := map[string]bool{}
	for _, r := range report.Runs {
		seen[r.File] = true
	}
	return len(seen)
}

// The JSON document of cardflow test --format json. format_version follows
// validate's rules: minor versions add fields, major versions break.
type jsonTestReport struct {
	FormatVersion string           `json:"format_version"`
	Passed        bool             `json:"passed"`
	PassCount     int              `json:"pass_count"`
	FailCount     int              `json:"fail_count"`
	DurationMS    int64            `json:"duration_ms"`
	Runs          []jsonTestRun    `json:"runs"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

type jsonTestRun struct {
	File            string           `json:"file"`
	Run             string           `json:"run"`
	Flow            string           `json:"flow"`
	Result          string           `json:"result"` // "pass" or "fail"
	ExecutionStatus string           `json:"execution_status"`
	Error           string           `json:"error,omitempty"`
	Executions      int              `json:"executions"`
	Calls           map[string]int   `json:"calls"`
	WaitedMS        int64            `json:"waited_ms"`
	DurationMS      int64            `json:"duration_ms"`
	Diagnostics     []jsonDiagnostic `json:"diagnostics"`
}

// unmatchedRun is the diagnostic of a --run pattern that selected no run,
// for the formats that carry diagnostics.
func unmatchedRun(pattern string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No run matches --run",
		Detail: fmt.Sprintf("No run's name matches --run %q: run names are the labels of run blocks.", pattern)}
}

// writeTestJSON writes the report; unmatched, a --run pattern that
// selected no run, fails it with a diagnostic of its own, as it fails the
// command.
func writeTestJSON(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, report *flowtest.Report, unmatched string) error {
	doc := jsonTestReport{
		FormatVersion: "1.0",
		Passed:        !diags.HasErrors() && report.Failed() == 0 && unmatched == "",
		PassCount:     report.Passed(),
		FailCount:     report.Failed(),
		DurationMS:    report.Duration.Milliseconds(),
		Runs:          []jsonTestRun{},
		Diagnostics:   toJSONDiagnostics(files, diags),
	}
	if unmatched != "" {
		doc.Diagnostics = append(doc.Diagnostics, toJSONDiagnostics(nil, hcl.Diagnostics{unmatchedRun(unmatched)})...)
	}
	for _, r := range report.Runs {
		result := "pass"
		if !r.Passed {
			result = "fail"
		}
		doc.Runs = append(doc.Runs, jsonTestRun{
			File: r.File, Run: r.Name, Flow: r.Flow, Result: result,
			ExecutionStatus: string(r.Status), Error: r.Error, Executions: r.Executions,
			Calls: r.Calls, WaitedMS: r.Waited.Milliseconds(), DurationMS: r.Duration.Milliseconds(),
			Diagnostics: toJSONDiagnostics(files, r.Diagnostics),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// JUnit XML as CI systems read it (the Ant/Surefire schema): one testsuite
// per test file, one testcase per run.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, report *flowtest.Report) error {
	doc := junitSuites{Name: "cardflow test", Time: seconds(report.Duration.Seconds())}
	if diags.HasErrors() {
		// The files did not load: one errored case says why, so that CI
		// shows the problem instead of an empty report.
		doc.Tests, doc.Errors = 1, 1
		doc.Suites = append(doc.Suites, junitSuite{
			Name: "cardflow", Tests: 1, Errors: 1, Time: "0",
			Cases: []junitCase{{Name: "load flows and tests", Classname: "cardflow", Time: "0",
				Error: &junitProblem{Message: firstError(diags), Type: "invalid configuration", Text: diagnosticsText(files, diags)}}},
		})
	}
	byFile := map[string]*junitSuite{}
	var names []string
	for _, r := range report.Runs {
		s := byFile[r.File]
		if s == nil {
			s = &junitSuite{Name: r.File}
			byFile[r.File] = s
			names = append(names, r.File)
		}
		c := junitCase{Name: r.Name, Classname: junitClass(r.File), Time: seconds(r.Duration.Seconds())}
		if !r.Passed {
			c.Failure = &junitProblem{Message: firstError(r.Diagnostics), Type: firstSummary(r.Diagnostics), Text: diagnosticsText(files, r.Diagnostics)}
			s.Failures++
			doc.Failures++
		}
		s.Tests++
		doc.Tests++
		s.Cases = append(s.Cases, c)
	}
	sort.Strings(names)
	for _, n := range names {
		s := byFile[n]
		total := 0.0
		for _, r := range report.Runs {
			if r.File == n {
				total += r.Duration.Seconds()
			}
		}
		s.Time = seconds(total)
		doc.Suites = append(doc.Suites, *s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitClass names a test file the way JUnit viewers group classes:
// flows/onboarding/provision_on_approval.test.hcl → onboarding.provision_on_approval.
func junitClass(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), ".test.hcl")
	if dir := filepath.Base(filepath.Dir(file)); dir != "." && dir != string(filepath.Separator) {
		return dir + "." + base
	}
	return base
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

func firstError(diags hcl.Diagnostics) string {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			msg := d.Summary
			if d.Detail != "" {
				msg += ": " + firstLine(d.Detail)
			}
			if d.Subject != nil {
				msg = fmt.Sprintf("%s:%d:%d: %s", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, msg)
			}
			return msg
		}
	}
	return "failed"
}

func firstSummary(diags hcl.Diagnostics) string {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			return d.Summary
		}
	}
	return "failure"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// diagnosticsText renders diagnostics with snippets and without color.
func diagnosticsText(files map[string]*hcl.File, diags hcl.Diagnostics) string {
	var b bytes.Buffer
	writeDiagnosticsText(&b, files, diags, false)
	return b.String()
}
