package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The onboarding flows' own test data, which the README's dry-run example
// uses: an Okta seed alone (the emulator's format) and a trigger value.
const (
	onboardingOktaSeed = "../../flows/onboarding/testdata/okta-seed.json"
	onboardingEvent    = "../../flows/onboarding/testdata/user-created.json"
)

func TestDryRunReadsAnEmulatorSeedAlone(t *testing.T) {
	res, rep := dryRunReport(t, "request_approval", "--event", onboardingEvent, "--seed", onboardingOktaSeed, "../../flows")
	if res.code != 0 || rep.Execution.Status != "succeeded" {
		t.Fatalf("want the Okta seed alone to seed the Okta emulator (read_user finds the user):\n%s", res)
	}
}

func TestDryRunRefusesUnknownSeedFields(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, json, want string }{
		{"misspelt user field", `{"okta": {"users": [{"id": "00u1", "profil": {}}]}}`, `okta.users[0]: unknown field "profil"`},
		{"misspelt part", `{"okat": {"users": []}}`, `unknown field "okat"`},
		{"misspelt field of a seed alone", `{"users": [{"id": "00u1", "profile": {}, "stauts": "STAGED"}]}`, `unknown field "stauts"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			if err := os.WriteFile(path, []byte(tc.json), 0o600); err != nil {
				t.Fatal(err)
			}
			res := run(t, dryRunEnv, "dry-run", "request_approval", "--event", onboardingEvent, "--seed", path, "../../flows")
			if res.code != 2 || !strings.Contains(res.stderr, tc.want) || !strings.Contains(res.stderr, path) {
				t.Errorf("want exit 2 naming %s and %q:\n%s", path, tc.want, res)
			}
		})
	}
}

func TestDryRunChecksTheEventAgainstTheTrigger(t *testing.T) {
	dir := t.TempDir()
	mistyped := filepath.Join(dir, "mistyped.json")
	if err := os.WriteFile(mistyped, []byte(`{"event": {"eventType": "user.lifecycle.create", "target": "00u1"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, flow, event string
		want              []string
	}{
		{"an Okta event for a ServiceNow trigger", "provision_on_approval", onboardingEvent,
			[]string{"servicenow.record_updated", `no attribute "event"`, "record"}},
		{"a mistyped field", "request_approval", mistyped, []string{"event.target does not fit", "list"}},
		{"none of the trigger's attributes", "provision_on_approval", empty, []string{"none of the trigger value's attributes", "record"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, dryRunEnv, "dry-run", tc.flow, "--event", tc.event, "--seed", onboardingOktaSeed, "../../flows")
			if res.code != 2 || res.stdout != "" {
				t.Fatalf("want exit 2 before anything runs:\n%s", res)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("the error does not say %q:\n%s", w, res)
				}
			}
		})
	}
}

func TestDryRunPlaceholdersAreNotRedacted(t *testing.T) {
	res := run(t, dryRunEnv, "dry-run", "request_approval", "--event", onboardingEvent, "--seed", onboardingOktaSeed, "../../flows")
	if res.code != 0 {
		t.Fatalf("want a successful dry run:\n%s", res)
	}
	if strings.Contains(res.stdout, "((sensitive))") {
		t.Errorf("harmless values were redacted:\n%s", res.stdout)
	}
	// The incident's number is what create_record would return: remember
	// stores it in the approvals row.
	if !strings.Contains(res.stdout, `"incident":"(known after apply)"`) {
		t.Errorf("want the intercepted write's output to read (known after apply) where later cards use it:\n%s", res.stdout)
	}
}

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
