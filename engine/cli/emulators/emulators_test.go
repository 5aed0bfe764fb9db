package emulators

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/engine/lang"
)

// TestDryRunEmulators: each emulator answers the credentials the dry run
// points connections at, which are marked sensitive; ServiceNow without a
// seed serves its demo users.
func TestDryRunEmulators(t *testing.T) {
	emus, err := Default().DryRun("", []string{"okta", "servicenow", "http"})
	if err != nil {
		t.Fatal(err)
	}
	defer emus.Stop()
	if _, ok := emus.Connections["http"]; ok {
		t.Error("a connector without an emulator got one")
	}
	okta := emus.Connections["okta"]
	if !okta["token"].HasMark(lang.Sensitive) {
		t.Error("the Okta token is not marked sensitive")
	}
	tok, _ := okta["token"].Unmark()
	body := get(t, okta["org_url"].AsString()+"/api/v1/users", func(r *http.Request) { r.Header.Set("Authorization", "SSWS "+tok.AsString()) })
	if !strings.HasPrefix(strings.TrimSpace(body), "[") {
		t.Errorf("okta users: %s", body)
	}
	sn := emus.Connections["servicenow"]
	if !sn["password"].HasMark(lang.Sensitive) {
		t.Error("the ServiceNow password is not marked sensitive")
	}
	key, _ := sn["api_key"].Unmark()
	if !sn["api_key"].HasMark(lang.Sensitive) {
		t.Error("the ServiceNow API key is not marked sensitive")
	}
	body = get(t, sn["instance_url"].AsString()+"/api/now/table/sys_user?user_name=beth.anglin", func(r *http.Request) {
		r.Header.Set("x-sn-apikey", key.AsString())
	})
	if !strings.Contains(body, "beth.anglin") {
		t.Errorf("the ServiceNow emulator lacks the demo users: %s", body)
	}
}

// TestDryRunSeedFile: a seed file that cannot be read is the user's
// mistake (engine.SeedError); its tables come back for the dry run.
func TestDryRunSeedFile(t *testing.T) {
	_, err := Default().DryRun(filepath.Join(t.TempDir(), "missing.json"), nil)
	var se *engine.SeedError
	if !errors.As(err, &se) {
		t.Fatalf("a missing seed file: want a SeedError, got %v", err)
	}
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, []byte(`{"tables": {"approvals": {"u1": {"status": "open"}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	emus, err := Default().DryRun(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer emus.Stop()
	if got := emus.Tables["approvals"]["u1"]["status"]; got != "open" {
		t.Errorf("seed tables: %v", emus.Tables)
	}
	if len(emus.Connections) != 0 {
		t.Errorf("--live starts no emulator, got %v", emus.Connections)
	}
}

func get(t *testing.T, url string, auth func(*http.Request)) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	auth(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, b)
	}
	return string(b)
}

// TestEmulateHelpListsRateBuckets: the rate-limit buckets and default
// limits `cardflow emulate --help` lists are the Okta emulator's.
func TestEmulateHelpListsRateBuckets(t *testing.T) {
	long := cli.NewCmdEmulate(&cli.Factory{}, nil).Long
	for _, b := range oktaemu.RateBuckets() {
		if line := fmt.Sprintf("%-16s %s", fmt.Sprintf("%s %d", b.Name, b.Limit), b.Endpoints); !strings.Contains(long, "\n  "+line+"\n") {
			t.Errorf("emulate --help lacks the line %q", line)
		}
	}
}
