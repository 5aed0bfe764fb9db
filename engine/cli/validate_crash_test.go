package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/flows"
)

// TestValidateMisspelledActionWithTests is validate of the onboarding
// flows with an action misspelled in a flow whose test file mocks it: a
// diagnostic, not a crash of the test checker.
func TestValidateMisspelledActionWithTests(t *testing.T) {
	dir := t.TempDir()
	if err := flows.WriteOnboarding(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "onboarding", "provision_on_approval.hcl")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(src), "okta.add_user_to_group", "okta.add_user_to_grup", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	res := run(t, nil, "validate", dir)
	if res.code != 1 || !strings.Contains(res.stdout+res.stderr, "Unknown action") {
		t.Errorf("validate: want exit 1 with Unknown action\n%s", res)
	}
}
