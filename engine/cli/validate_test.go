package cli_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
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

func TestValidateExitCodes(t *testing.T) {
	t.Chdir(goldenDir)
	tests := []struct {
		name    string
		environ []string
		args    []string
		code    int
	}{
		{"valid", fullEnv, []string{"validate", "../valid/onboarding"}, cli.ExitOK},
		{"env not set", nil, []string{"validate", "../valid/onboarding"}, cli.ExitOK},
		{"env not set, checked", nil, []string{"validate", "--check-env", "../valid/onboarding"}, cli.ExitFailed},
		{"several paths", fullEnv, []string{"validate", "../valid/http_endpoint.hcl", "../valid/schedule_cron.hcl"}, cli.ExitOK},
		{"invalid", fullEnv, []string{"validate", "input"}, cli.ExitFailed},
		{"syntax error", fullEnv, []string{"validate", "../invalid/syntax_unclosed_block.hcl"}, cli.ExitFailed},
		{"env not set in json", nil, []string{"validate", "--format", "json", "../valid/onboarding"}, cli.ExitOK},
		{"invalid in github", fullEnv, []string{"validate", "--format", "github", "input"}, cli.ExitFailed},
		{"bad format", fullEnv, []string{"validate", "--format", "yaml", "input"}, cli.ExitUsage},
		{"unknown flag", fullEnv, []string{"validate", "--strict", "input"}, cli.ExitUsage},
		{"missing path", fullEnv, []string{"validate", "no/such/dir"}, cli.ExitUsage},
		{"bad --var", fullEnv, []string{"validate", "--var", "groups", "../valid/onboarding"}, cli.ExitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.environ, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit code %d, want %d\n%s", r.code, tt.code, r)
			}
		})
	}
}

func TestValidateVariables(t *testing.T) {
	t.Chdir(goldenDir)
	tests := []struct {
		name    string
		environ []string
		args    []string
		code    int
		stderr  string
	}{
		{"--var of the wrong type", fullEnv, []string{"validate", "--var", `groups="Employees"`, "../valid/onboarding"}, cli.ExitFailed, "Invalid variable value"},
		{"--var list", fullEnv, []string{"validate", "--var", `groups=["Employees", "Contractors"]`, "../valid/onboarding"}, cli.ExitOK, ""},
		{"undeclared --var", fullEnv, []string{"validate", "--var", "grups=x", "../valid/onboarding"}, cli.ExitFailed, `Did you mean "groups"?`},
		{"CARDFLOW_VAR_", append([]string{"CARDFLOW_VAR_poll_interval=5 minutes"}, fullEnv...), []string{"validate", "../valid/onboarding"}, cli.ExitFailed, "Invalid duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, tt.environ, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("got %s\nwant exit %d and stderr containing %q", r, tt.code, tt.stderr)
			}
		})
	}
}

func TestFmt(t *testing.T) {
	const messy = "flow \"notify\" {\n  trigger \"flow.called\" {}\n  card \"compose\" {\n    action = text.compose\n    text=\"hello\"\n  }\n}\n"
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.MkdirAll("flows", 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join("flows", "notify.hcl")
	if err := os.WriteFile(file, []byte(messy), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func() string {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	t.Run("check reports the file and changes nothing", func(t *testing.T) {
		for _, flag := range []string{"-check", "--check", "-c"} {
			r := run(t, nil, "fmt", flag, "flows")
			if r.code != cli.ExitFailed || r.stdout != file+"\n" {
				t.Errorf("fmt %s: %s\nwant exit 1 and the file name", flag, r)
			}
		}
		if read() != messy {
			t.Error("fmt -check wrote the file")
		}
	})
	t.Run("diff", func(t *testing.T) {
		r := run(t, nil, "fmt", "-check", "-diff", "flows")
		want := file + "\n" +
			"--- flows/notify.hcl\n" +
			"+++ flows/notify.hcl (formatted)\n" +
			"@@ -2,6 +2,6 @@\n" +
			"   trigger \"flow.called\" {}\n" +
			"   card \"compose\" {\n" +
			"     action = text.compose\n" +
			"-    text=\"hello\"\n" +
			"+    text   = \"hello\"\n" +
			"   }\n" +
			" }\n"
		if diff := cmp.Diff(want, r.stdout); diff != "" || r.code != cli.ExitFailed {
			t.Errorf("exit %d, diff output (-want +got):\n%s", r.code, diff)
		}
	})
	t.Run("fmt rewrites, then check passes", func(t *testing.T) {
		if r := run(t, nil, "fmt", "flows"); r.code != cli.ExitOK || r.stdout != file+"\n" {
			t.Fatalf("fmt: %s", r)
		}
		if got := read(); got == messy || !strings.Contains(got, "text   = \"hello\"") {
			t.Errorf("not formatted:\n%s", got)
		}
		if r := run(t, nil, "fmt", "-check", "flows"); r.code != cli.ExitOK || r.stdout != "" {
			t.Errorf("fmt -check after fmt: %s", r)
		}
	})
	t.Run("syntax error", func(t *testing.T) {
		bad := filepath.Join("flows", "broken.hcl")
		if err := os.WriteFile(bad, []byte("flow \"x\" {\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(bad)
		r := run(t, nil, "fmt", "-check", "flows")
		if r.code != cli.ExitFailed || !strings.Contains(r.stderr, "Unclosed configuration block") {
			t.Errorf("fmt of a broken file: %s", r)
		}
	})
	t.Run("usage", func(t *testing.T) {
		if r := run(t, nil, "fmt", "-chek", "flows"); r.code != cli.ExitUsage {
			t.Errorf("fmt -chek: %s", r)
		}
	})
}
