package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/flows"
)

// Connection URLs with credentials in them (a password in the user
// information, a key in the query) are refused, and the refusal names the
// URL without them: in validate's text and JSON output and in the log of
// cardflow run, which goes to CI logs and journald.
func TestE2EConnectionURLCredentialsRedacted(t *testing.T) {
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end test: runs the built binary (not with -short)")
	}
	t.Parallel()
	dir := t.TempDir()
	if err := flows.WriteOnboarding(dir); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"P4ssw0rdLeak", "QueryLeak123", "SnPassLeak9", "SnQueryLeak8", "HookPassLeak7"}
	env := []string{
		"OKTA_ORG_URL=https://admin:P4ssw0rdLeak@acme.okta.com/?apikey=QueryLeak123",
		"OKTA_API_TOKEN=t0ken-value",
		"OKTA_EVENT_HOOK_SECRET=h00k-value",
		"SERVICENOW_INSTANCE_URL=https://svc:SnPassLeak9@acme.service-now.com/?sysparm_token=SnQueryLeak8",
		"SERVICENOW_USERNAME=svc.cardflow",
		"SERVICENOW_PASSWORD=cardflow-dev",
		"OKTA_PUBLIC_URL=https://hook:HookPassLeak7@cardflow.acme.example/",
		"NO_COLOR=1",
	}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	// A public_url with credentials, on a copy of the connections.
	conns := filepath.Join(dir, "onboarding", "connections.hcl")
	src, err := os.ReadFile(conns)
	if err != nil {
		t.Fatal(err)
	}
	withHook := strings.Replace(string(src), `  token   = env("OKTA_API_TOKEN")`,
		`  token   = env("OKTA_API_TOKEN")
  public_url = env("OKTA_PUBLIC_URL")`, 1)
	if withHook == string(src) {
		t.Fatal("the onboarding connections changed: update this test")
	}
	if err := os.WriteFile(conns, []byte(withHook), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "cardflow.db")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"validate", []string{"validate", dir}},
		{"validate json", []string{"validate", "--format", "json", dir}},
		{"validate github", []string{"validate", "--format", "github", dir}},
		{"run", []string{"run", "--db", db, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", dir}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := cardflowCmd(t, env, tc.args...)
			out := stdout + stderr
			if code == 0 {
				t.Fatalf("exit 0, want the URLs refused:\n%s", out)
			}
			for _, want := range []string{"acme.okta.com", "acme.service-now.com", "org_url", "instance_url", "public_url"} {
				if !strings.Contains(out, want) {
					t.Errorf("the output does not name %s:\n%s", want, out)
				}
			}
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("the output holds %s:\n%s", s, out)
				}
			}
		})
	}
}

// cardflowCmd runs a cardflow command in env and returns its outputs and exit code.
func cardflowCmd(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(cardflowBin, args...)
	cmd.Env = env
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return out.String(), errOut.String(), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("cardflow %v: %v", args, err)
	}
	return out.String(), errOut.String(), 0
}
