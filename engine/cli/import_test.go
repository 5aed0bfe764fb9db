package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
