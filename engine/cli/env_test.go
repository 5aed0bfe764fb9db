package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/cli"
)

// TestRunReportsUnsetEnvOnce: run refuses flows whose connections read
// unset variables, with one error per variable (env() failing used to
// say it a second time as "Invalid function argument").
func TestRunReportsUnsetEnvOnce(t *testing.T) {
	r := run(t, fullEnv[2:], "run", "--db", filepath.Join(t.TempDir(), "cardflow.db"), "--listen", "127.0.0.1:0", "--watch=false", onboardingDir)
	if r.code == cli.ExitOK {
		t.Fatalf("run started without OKTA_ORG_URL and OKTA_API_TOKEN:\n%s", r)
	}
	for _, name := range []string{"OKTA_ORG_URL", "OKTA_API_TOKEN"} {
		if n := strings.Count(r.stderr, "The environment variable "+name+" is not set"); n != 1 {
			t.Errorf("%s reported %d times, want once:\n%s", name, n, r)
		}
	}
	if n := strings.Count(r.stderr, "Error: Environment variable not set"); n != 2 {
		t.Errorf("%d unset-variable errors, want 2:\n%s", n, r)
	}
	if strings.Contains(r.stderr, "Invalid function argument") {
		t.Errorf("env() failures repeat the unset-variable errors:\n%s", r)
	}
}

// TestValidateUnsetEnvIsOneLine: validate without the connections'
// variables (as in CI) is valid, says so in one line on stderr and makes
// no GitHub annotation; --check-env makes each variable an error.
func TestValidateUnsetEnvIsOneLine(t *testing.T) {
	for _, format := range []string{"text", "github"} {
		r := run(t, nil, "validate", "--format", format, onboardingDir)
		if r.code != cli.ExitOK {
			t.Errorf("%s: exit %d\n%s", format, r.code, r)
		}
		if strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "6 environment variables are not set here") {
			t.Errorf("%s: want one line about the 6 variables on stderr:\n%s", format, r)
		}
		if strings.Contains(r.stdout, "::warning") {
			t.Errorf("%s: annotations for unset variables:\n%s", format, r)
		}
	}
	r := run(t, nil, "validate", "--check-env", "--format", "github", onboardingDir)
	if r.code != cli.ExitFailed || strings.Count(r.stdout, "::error") != 6 || r.stderr != "" {
		t.Errorf("--check-env: want exit 1 and 6 ::error annotations, nothing else:\n%s", r)
	}
}
