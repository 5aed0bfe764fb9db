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
	r := run(t, fullEnv[2:], "run", "--db", filepath.Join(t.TempDir(), "cardflow.db"), "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--watch=false", onboardingDir)
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
