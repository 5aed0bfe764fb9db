package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportValidatesAndDryRuns imports an export of the approval scenario
// built in Okta Workflows, validates the result and dry-runs its first
// flow against the emulators.
func TestImportValidatesAndDryRuns(t *testing.T) {
	dir := t.TempDir()
	res := run(t, nil, "import", "okta-workflows", "testdata/import/approvals.flopack", "-o", dir)
	if res.code != 0 || !strings.Contains(res.stdout, "Imported 2 flows: 13 cards, 13 converted, 0 not converted.") {
		t.Fatalf("import:\n%s", res)
	}
	for _, f := range []string{"request_approval.hcl", "process_resolution.hcl", "tables.hcl", "connections.hcl"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s was not written", f)
		}
	}
	env := append(dryRunEnv, "PROCESS_RESOLUTION_CLIENT_TOKEN=very-secret-client")
	if res := run(t, env, "validate", dir); res.code != 0 {
		t.Fatalf("the import does not validate:\n%s", res)
	}
	if res := run(t, nil, "fmt", "-check", dir); res.code != 0 {
		t.Fatalf("the import is not fmt-clean:\n%s", res)
	}
	res, rep := dryRunReport(t, "request_approval", "--event", "testdata/event-hook-user-created.json", "--seed", "testdata/import-seed.json", dir)
	if res.code != 0 || rep.Execution.Status != "succeeded" {
		t.Fatalf("want a successful dry run:\n%s", res)
	}
	// Flow tables live in memory in a dry run: the incident is the one write.
	if len(rep.Writes) != 1 || rep.Writes[0].Action != "servicenow.create_record" {
		t.Fatalf("intercepted writes = %+v", rep.Writes)
	}
	ran := map[string]string{}
	for _, c := range rep.Execution.Cards {
		ran[c.Card] = c.Status
	}
	if ran["read_user"] != "ok" || ran["remember_the_request"] != "ok" {
		t.Errorf("cards = %v", ran)
	}
	var in struct {
		Fields map[string]string `json:"fields"`
	}
	if err := json.Unmarshal(rep.Writes[0].Input, &in); err != nil {
		t.Fatal(err)
	}
	if in.Fields["short_description"] != "Approve access for kari.nordmann@acme.example (Finance)" || in.Fields["correlation_id"] != "00u8newUsEr1234abc0h7" {
		t.Errorf("incident fields = %+v", in.Fields)
	}
}

// TestImportPlaceholdersFailValidation: a card that was not converted is a
// placeholder that validate rejects, naming the original card and inputs.
func TestImportPlaceholdersFailValidation(t *testing.T) {
	dir := t.TempDir()
	res := run(t, nil, "import", "okta-workflows", "testdata/import/unsupported.flopack", "-o", dir, "--format", "json")
	var rep struct {
		Counts struct{ Cards, Converted, Placeholders int } `json:"counts"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil || res.code != 0 {
		t.Fatalf("import: %v\n%s", err, res)
	}
	if rep.Counts.Cards != 3 || rep.Counts.Placeholders != 2 || rep.Counts.Converted != 1 {
		t.Errorf("counts = %+v", rep.Counts)
	}
	res = run(t, nil, "validate", dir)
	if res.code != 1 {
		t.Fatalf("validate must reject the placeholders:\n%s", res)
	}
	for _, want := range []string{
		`slack.sendMessageToChannel2 "Send Message" with inputs Channel = "#access", Text = trigger.input.login was not converted`,
		`string.base64Decode "Decode" with inputs string = "aGk=" was not converted`,
		"notify_channel.hcl",
	} {
		if !strings.Contains(strings.Join(strings.Fields(res.stderr), " "), want) {
			t.Errorf("validate's message lacks %q:\n%s", want, res.stderr)
		}
	}
}

// TestImportRefusesAndWritesNothing: a damaged export and an existing file
// exit 1 with nothing written.
func TestImportRefusesAndWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	res := run(t, nil, "import", "okta-workflows", "testdata/import/malformed-cycle.flopack", "-o", dir)
	if res.code != 1 || !strings.Contains(res.stderr, "the pins form a cycle") {
		t.Fatalf("a cycle of pins:\n%s", res)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the output directory was created")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tables.hcl"), []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = run(t, nil, "import", "okta-workflows", "testdata/import/approvals.flopack", "-o", dir)
	if res.code != 1 || !strings.Contains(res.stderr, "tables.hcl exists") {
		t.Fatalf("an existing file:\n%s", res)
	}
	entries, _ := os.ReadDir(dir)
	if b, _ := os.ReadFile(filepath.Join(dir, "tables.hcl")); len(entries) != 1 || string(b) != "# mine\n" {
		t.Errorf("files were written next to or over an existing one: %d entries", len(entries))
	}
	if res := run(t, nil, "import", "okta-workflows", "testdata/import/approvals.flopack", "--format", "yaml"); res.code != 2 {
		t.Errorf("a bad --format must exit 2:\n%s", res)
	}
}

// upstreamTemplate returns the path of a template of Okta's
// workflows-templates repository when OKTA_WORKFLOWS_TEMPLATES names a
// checkout of it (the repository has no license, so its files are not
// copied into this one).
func upstreamTemplate(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("OKTA_WORKFLOWS_TEMPLATES")
	if dir == "" {
		t.Skip("OKTA_WORKFLOWS_TEMPLATES is not set: no checkout of github.com/okta/workflows-templates")
	}
	for _, p := range []string{filepath.Join(dir, "workflows", name, "workflow.flopack"), filepath.Join(dir, name+".flopack")} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("%s is not in %s", name, dir)
	return ""
}

// TestImportServiceNowApprovalsTemplate imports Okta's own template of the
// approval scenario, validates it, and dry-runs the flow that acts on the
// approver's answer against the emulators.
func TestImportServiceNowApprovalsTemplate(t *testing.T) {
	src := upstreamTemplate(t, "servicenow_approvals")
	dir := t.TempDir()
	res := run(t, nil, "import", "okta-workflows", src, "-o", dir)
	if res.code != 0 || !strings.Contains(res.stdout, "0 not converted") {
		t.Fatalf("import:\n%s", res)
	}
	env := append(dryRunEnv, "PROCESS_RESOLUTION_CLIENT_TOKEN=very-secret-client")
	if res := run(t, env, "validate", dir); res.code != 0 {
		t.Fatalf("the template does not validate:\n%s", res)
	}
	res, rep := dryRunReport(t, "process_resolution", "--event", "testdata/import-resolution-event.json",
		"--seed", "testdata/import-resolution-seed.json", dir)
	if res.code != 0 || rep.Execution.Status != "succeeded" {
		t.Fatalf("want a successful dry run:\n%s", res)
	}
	if len(rep.Writes) != 1 || rep.Writes[0].Action != "okta.add_user_to_group" {
		t.Fatalf("intercepted writes = %+v", rep.Writes)
	}
	var in map[string]string
	if err := json.Unmarshal(rep.Writes[0].Input, &in); err != nil {
		t.Fatal(err)
	}
	if in["user"] != "00u8newUsEr1234abc0h7" || in["group"] != "00g59cwt7smcUzxSm357" {
		t.Errorf("add_user_to_group input = %v", in)
	}
	// A rejection stops at Continue If.
	rejected := filepath.Join(t.TempDir(), "rejected.json")
	if err := os.WriteFile(rejected, []byte(`{"body": {"incidentNumber": "INC0010042", "incidentState": "rejected"}, "headers": {}, "method": "POST", "query": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	res, rep = dryRunReport(t, "process_resolution", "--event", rejected, "--seed", "testdata/import-resolution-seed.json", dir)
	if rep.Execution.Status != "halted" || len(rep.Writes) != 0 {
		t.Fatalf("a rejection must halt before writing:\n%s", res)
	}
}
