package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/internal/flowmutate"
)

// TestE2EValidateMisspellings runs the built binary's validate over a
// sample of single-identifier misspellings of the onboarding flows
// (engine/cli's TestValidateEveryMisspelling runs them all in process):
// no panic, exit 1, and an error on the changed line ±1 or naming the
// misspelling. The sample always includes the card action that once
// crashed validate (okta.read_user → okta.read_usr, mocked by a test).
func TestE2EValidateMisspellings(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs the binary")
	}
	t.Parallel()
	muts, err := flowmutate.Identifiers("../../flows/onboarding")
	if err != nil {
		t.Fatal(err)
	}
	sample := flowmutate.Sample(muts, 40, "read_user")
	if len(sample) < 30 {
		t.Fatalf("sampled %d of %d mutations", len(sample), len(muts))
	}
	for _, m := range sample {
		dir := t.TempDir()
		if err := m.Copy("../../flows/onboarding", dir); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(cardflowBin, "validate", "--format", "json", dir)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stderr.String(), "panic:") || strings.Contains(stderr.String(), "goroutine ") {
			t.Errorf("%s: validate panicked:\n%s", m, stderr.String())
			continue
		}
		if m.ServiceNowField() {
			continue
		}
		if code != 1 {
			t.Errorf("%s: exit %d, want 1\n%s", m, code, stderr.String())
		}
		var out struct {
			Diagnostics []struct {
				Severity, Detail string
				Range            *struct {
					Filename   string
					Start, End struct{ Line int }
				}
			}
		}
		if err := json.Unmarshal([]byte(stdout.String()), &out); err != nil {
			t.Fatalf("%s: %v\n%s", m, err, stdout.String())
		}
		found := false
		for _, d := range out.Diagnostics {
			if d.Severity != "error" {
				continue
			}
			named := strings.Contains(d.Detail, fmt.Sprintf("%q", m.To))
			near := d.Range != nil && filepath.Base(d.Range.Filename) == filepath.Base(m.File) &&
				d.Range.Start.Line-1 <= m.Line && m.Line <= d.Range.End.Line+1
			found = found || named || near
		}
		if !found {
			t.Errorf("%s: no error on line %d±1 nor naming %q:\n%s", m, m.Line, m.To, stdout.String())
		}
	}
}
