package cli_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/internal/flowmutate"
)

// onboardingDir is the reference flows every mutation starts from.
const onboardingDir = "../../flows/onboarding"

// validateDiag is the part of validate's JSON diagnostics the mutation
// test reads.
type validateDiag struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Range    *struct {
		Filename string `json:"filename"`
		Start    struct {
			Line int `json:"line"`
		} `json:"start"`
		End struct {
			Line int `json:"line"`
		} `json:"end"`
	} `json:"range"`
}

// validateMutation runs cardflow validate --format json over a copy of
// the onboarding flows with m applied, turning a panic into a failure
// that names the mutation.
func validateMutation(t *testing.T, m flowmutate.Mutation) (r result, panicked string) {
	t.Helper()
	dir := t.TempDir()
	if err := m.Copy(onboardingDir, dir); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				panicked = fmt.Sprintf("%v\n%s", p, debug.Stack())
			}
		}()
		r = run(t, fullEnv, "validate", "--format", "json", dir)
	}()
	return r, panicked
}

// diagnosed reports whether diags hold an error about m: on the changed
// line ±1, or, for a renamed declaration (a table column), one that names
// the misspelling wherever the old name is still used.
func diagnosed(diags []validateDiag, m flowmutate.Mutation) bool {
	for _, d := range diags {
		if d.Severity != "error" {
			continue
		}
		if strings.Contains(d.Detail, fmt.Sprintf("%q", m.To)) {
			return true
		}
		if d.Range == nil || filepath.Base(d.Range.Filename) != filepath.Base(m.File) {
			continue
		}
		if d.Range.Start.Line-1 <= m.Line && m.Line <= d.Range.End.Line+1 {
			return true
		}
	}
	return false
}

// TestValidateEveryMisspelling misspells every identifier of the
// onboarding flows, one at a time, and checks that validate diagnoses
// each mistake where it was made: exit 1 and an error on the changed line
// or a neighbour, never a panic.
func TestValidateEveryMisspelling(t *testing.T) {
	if raceEnabled {
		// Over a thousand validations take minutes under the race
		// detector: `make test` runs this test again without it.
		t.Skip("runs without -race (make test runs it so)")
	}
	muts, err := flowmutate.Identifiers(onboardingDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(muts) < 300 {
		t.Fatalf("found %d identifiers in %s; the lexer walk is broken", len(muts), onboardingDir)
	}
	if testing.Short() {
		muts = flowmutate.Sample(muts, 10, "read_user")
	}
	open := 0
	for _, m := range muts {
		if m.ServiceNowField() {
			open++
		}
	}
	t.Logf("%d mutations, %d of them ServiceNow record fields (only checked not to panic)", len(muts), open)
	for _, m := range muts {
		t.Run(m.Key(), func(t *testing.T) {
			t.Parallel()
			r, panicked := validateMutation(t, m)
			if panicked != "" {
				t.Fatalf("%s: validate panicked: %s", m, panicked)
			}
			if m.ServiceNowField() {
				return
			}
			var out struct {
				Diagnostics []validateDiag `json:"diagnostics"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("%s: %v\n%s", m, err, r)
			}
			if r.code != cli.ExitFailed {
				t.Errorf("%s: exit %d, want %d", m, r.code, cli.ExitFailed)
			}
			if !diagnosed(out.Diagnostics, m) {
				var got []string
				for _, d := range out.Diagnostics {
					if d.Range != nil {
						got = append(got, fmt.Sprintf("%s %s:%d: %s: %s", d.Severity, filepath.Base(d.Range.Filename), d.Range.Start.Line, d.Summary, d.Detail))
					}
				}
				t.Errorf("%s: no error on line %d±1; diagnostics:\n%s", m, m.Line, strings.Join(got, "\n"))
			}
		})
	}
}
