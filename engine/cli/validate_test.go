package cli_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/engine/cli/emulators"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/validate/golden")

// goldenDir holds the golden outputs and their input flows; the tests run
// in it so that file names in the output are short and stable.
const goldenDir = "../../testdata/validate/golden"

// fullEnv sets every variable the fixtures' env() calls read.
var fullEnv = []string{
	"OKTA_ORG_URL=https://acme.okta.com",
	"OKTA_API_TOKEN=00aBcD-token",
	"OKTA_EVENT_HOOK_SECRET=hook-secret",
	"SERVICENOW_INSTANCE_URL=https://acme.service-now.com",
	"SERVICENOW_USERNAME=cardflow",
	"SERVICENOW_PASSWORD=sn-password",
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs the cardflow command line with buffers and a fixed environment.
func run(t *testing.T, environ []string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	reg := connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
	io := &cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, Environ: environ}
	code := cli.Main(&cli.Factory{IO: io, Registry: reg, Emulators: emulators.Default()}, args)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n-- stdout --\n%s-- stderr --\n%s", r.code, r.stdout, r.stderr)
}

// golden compares got with testdata/validate/golden/<name>.golden, or
// rewrites it with -update. The test must already run in goldenDir.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := name + ".golden"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./engine/cli/ -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); run go test ./engine/cli/ -update if the change is intended:\n%s", path, diff)
	}
}

func TestValidateGolden(t *testing.T) {
	t.Chdir(goldenDir)
	tests := []struct {
		name    string
		environ []string
		args    []string
		code    int
	}{
		{"valid_text", fullEnv, []string{"validate", "../valid/onboarding"}, cli.ExitOK},
		{"valid_json", fullEnv, []string{"validate", "--format", "json", "../valid/onboarding"}, cli.ExitOK},
		{"unset_env_text", nil, []string{"validate", "../valid/onboarding"}, cli.ExitOK},
		{"unset_env_github", nil, []string{"validate", "--format=github", "../valid/onboarding"}, cli.ExitOK},
		{"check_env_text", fullEnv[1:], []string{"validate", "--check-env", "../valid/onboarding"}, cli.ExitFailed},
		{"invalid_text", fullEnv[:1], []string{"validate", "input"}, cli.ExitFailed},
		{"invalid_json", fullEnv[:1], []string{"validate", "--format", "json", "input"}, cli.ExitFailed},
		{"invalid_github", fullEnv[:1], []string{"validate", "--format", "github", "input"}, cli.ExitFailed},
		{"syntax_json", fullEnv, []string{"validate", "--format", "json", "../invalid/syntax_missing_equals.hcl"}, cli.ExitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.environ, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit code %d, want %d\n%s", r.code, tt.code, r)
			}
			golden(t, tt.name, r.String())
		})
	}
}

// terraformEnvelope mirrors the JSON of terraform validate -json, field by
// field, so that tools written for Terraform read cardflow's output.
type terraformEnvelope struct {
	FormatVersion string `json:"format_version"`
	Valid         *bool  `json:"valid"`
	ErrorCount    *int   `json:"error_count"`
	WarningCount  *int   `json:"warning_count"`
	Diagnostics   []struct {
		Severity string  `json:"severity"`
		Summary  string  `json:"summary"`
		Detail   *string `json:"detail"`
		Range    *struct {
			Filename string `json:"filename"`
			Start    struct{ Line, Column, Byte int }
			End      struct{ Line, Column, Byte int }
		} `json:"range"`
		Snippet *struct {
			Context              *string `json:"context"`
			Code                 string  `json:"code"`
			StartLine            int     `json:"start_line"`
			HighlightStartOffset int     `json:"highlight_start_offset"`
			HighlightEndOffset   int     `json:"highlight_end_offset"`
			Values               []any   `json:"values"`
		} `json:"snippet"`
	} `json:"diagnostics"`
}

func TestValidateJSONEnvelope(t *testing.T) {
	t.Chdir(goldenDir)
	tests := []struct {
		name        string
		environ     []string
		args        []string
		valid       bool
		errs, warns int
	}{
		{"valid", fullEnv, []string{"../valid/onboarding"}, true, 0, 0},
		// Unset env() variables are expected in CI: not diagnostics...
		{"unset env", nil, []string{"../valid/onboarding"}, true, 0, 0},
		// ...unless asked for, one error per variable.
		{"check env", nil, []string{"--check-env", "../valid/onboarding"}, false, 6, 0},
		{"invalid", fullEnv[:1], []string{"input"}, false, 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.environ, append([]string{"validate", "--format", "json"}, tt.args...)...)
			if r.stderr != "" {
				t.Errorf("stderr not empty: %q", r.stderr)
			}
			if strings.Contains(r.stdout, `"diagnostics": null`) {
				t.Error("diagnostics is null; Terraform's envelope has []")
			}
			var env terraformEnvelope
			dec := json.NewDecoder(strings.NewReader(r.stdout))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&env); err != nil {
				t.Fatalf("not Terraform's envelope: %v\n%s", err, r.stdout)
			}
			if env.FormatVersion != "1.0" || env.Valid == nil || env.ErrorCount == nil || env.WarningCount == nil || env.Diagnostics == nil {
				t.Fatalf("envelope fields missing: %s", r.stdout)
			}
			got := [3]any{*env.Valid, *env.ErrorCount, *env.WarningCount}
			if diff := cmp.Diff([3]any{tt.valid, tt.errs, tt.warns}, got); diff != "" {
				t.Errorf("valid, error_count, warning_count (-want +got):\n%s", diff)
			}
			if len(env.Diagnostics) != tt.errs+tt.warns {
				t.Errorf("%d diagnostics, want %d", len(env.Diagnostics), tt.errs+tt.warns)
			}
			for _, d := range env.Diagnostics {
				if d.Detail == nil || d.Range == nil || d.Snippet == nil || d.Snippet.Values == nil {
					t.Errorf("diagnostic %q lacks detail, range, snippet or values", d.Summary)
					continue
				}
				s := d.Snippet
				if s.StartLine != d.Range.Start.Line || s.HighlightStartOffset > s.HighlightEndOffset || s.HighlightEndOffset > len(s.Code) {
					t.Errorf("snippet of %q does not match its range: %+v", d.Summary, s)
				}
				if s.Context == nil {
					t.Errorf("snippet of %q has no context (the enclosing block)", d.Summary)
				}
			}
		})
	}
}

// TestValidateNeverPrintsSecrets: a literal secret is reported, in every
// format, without its value: the snippets mask it.
func TestValidateNeverPrintsSecrets(t *testing.T) {
	t.Chdir(goldenDir)
	secrets := []string{"0aB1cD2eF3", "tk_live_51HxQ", "9d49d5d1", "s3cr3t-t0ken", "abc123", "cs_9f8e7d",
		"AIzaSyA-123456", "UHJveHk6V2ludGVy", "00xYzAbC9"}
	files := []string{"../invalid/literal_secret_in_request_headers.hcl", "../invalid/literal_secret_headers.hcl"}
	for _, format := range []string{"text", "json", "github"} {
		t.Run(format, func(t *testing.T) {
			for _, f := range files {
				r := run(t, fullEnv, "validate", "--format", format, f)
				if r.code != cli.ExitFailed || !strings.Contains(r.stdout+r.stderr, "Literal secret") {
					t.Fatalf("%s: no literal secret reported:\n%s", f, r)
				}
				for _, s := range secrets {
					if strings.Contains(r.stdout+r.stderr, s) {
						t.Errorf("%s: the output holds the secret %q:\n%s", f, s, r)
					}
				}
			}
		})
	}
	// The snippet keeps the line, with the value masked byte for byte.
	r := run(t, fullEnv, "validate", files[0])
	for _, want := range []string{
		`Authorization = "` + strings.Repeat("*", len("Bearer 0aB1cD2eF3gH4")) + `"`,
		`api_key = "` + strings.Repeat("*", len("AIzaSyA-123456")) + `"`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the snippets lack %q:\n%s", want, r)
		}
	}
}
