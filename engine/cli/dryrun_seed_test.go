package cli_test

import (
	"strings"
	"testing"
)

// The onboarding flows' own test data, which the README's dry-run example
// uses: an Okta seed alone (the emulator's format) and a trigger value.
const (
	onboardingOktaSeed = "../../flows/onboarding/testdata/okta-seed.json"
	onboardingEvent    = "../../flows/onboarding/testdata/user-created.json"
)

// TestOneSeedFileForTestsDryRunAndEmulators runs a flow test whose emulator
// block reads the whole seed format, and dry-runs the flow with that file.
func TestOneSeedFileForTestsDryRunAndEmulators(t *testing.T) {
	if res := run(t, nil, "test", "testdata/welcome"); res.code != 0 || !strings.Contains(res.stdout, "1 passed") {
		t.Fatalf("cardflow test with the whole seed format:\n%s", res)
	}
	res, rep := dryRunReport(t, "welcome", "--event", onboardingEvent, "--seed", "testdata/welcome/seed.json", "testdata/welcome")
	if res.code != 0 || len(rep.Writes) != 1 || rep.Writes[0].Action != "okta.add_user_to_group" {
		t.Fatalf("dry-run with the same seed file:\n%s", res)
	}
	if res := run(t, nil, "emulate", "okta", "--listen", "127.0.0.1:0", "--seed", onboardingEvent); res.code != 2 || !strings.Contains(res.stderr, `unknown field "delivery"`) {
		t.Errorf("emulate with a file that is no seed: want exit 2 naming the field:\n%s", res)
	}
	if res := run(t, nil, "emulate", "servicenow", "--listen", "127.0.0.1:0", "--seed", onboardingOktaSeed); res.code != 2 || !strings.Contains(res.stderr, `no "servicenow" part`) {
		t.Errorf("emulate servicenow with an Okta seed: want exit 2:\n%s", res)
	}
}
