package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unmanagedConnection has no manage_event_hook: nobody keeps its hook in
// step with the flows.
const unmanagedConnection = `
connection "okta" "main" {
  org_url           = env("OKTA_ORG_URL")
  token             = env("OKTA_API_TOKEN")
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
}
`

const deactivatedFlow = `
flow "on_deactivate" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.deactivate"]
  }
  card "read" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.user.id
  }
}
`

// TestE2EValidateCheckEnvUnmanagedHook runs `cardflow validate
// --check-env` against `cardflow emulate okta` holding a hook made by hand
// for the connection: a warning naming the hook and the event type it
// lacks (exit 0, as for every warning), none once the hook has every
// type, and one line saying the hook was not checked, still exit 0, when
// the token may not read event hooks (403).
func TestE2EValidateCheckEnvUnmanagedHook(t *testing.T) {
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end")
	}
	t.Parallel()
	oktaURL, _ := startEmulator(t, "okta", "--listen", "127.0.0.1:0", "--token", "dev-token")
	// A 403 on every read of the event hooks, as for a token without
	// okta.eventHooks.read.
	deniedURL, _ := startEmulator(t, "okta", "--listen", "127.0.0.1:0", "--token", "dev-token",
		"--fault", `{"method": "GET", "path": "/api/v1/eventHooks", "status": 403, "for": "1h"}`)
	dir := t.TempDir()
	flows := filepath.Join(dir, "flows")
	if err := os.MkdirAll(flows, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(flows, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("connections.hcl", unmanagedConnection)
	write("on_create.hcl", hooksCreatedFlow)
	write("on_deactivate.hcl", deactivatedFlow)

	// Made by hand in the admin console: its own name, cardflow's URL.
	hook := `{"name": "HR events", "events": {"type": "EVENT_TYPE", "items": [%s]},
	  "channel": {"type": "HTTP", "version": "1.0.0", "config": {"uri": "https://cardflow.acme.example/hooks/okta/main",
	  "authScheme": {"type": "HEADER", "key": "Authorization", "value": "e2e-hook-secret"}}}}`
	post(t, oktaURL+"/api/v1/eventHooks", strings.Replace(hook, "%s", `"user.lifecycle.create"`, 1))
	var hooks []struct{ ID string }
	getInto(t, oktaURL+"/api/v1/eventHooks", &hooks)
	if len(hooks) != 1 {
		t.Fatalf("hooks = %+v", hooks)
	}

	validate := func(org string, args ...string) (stdout, stderr string, code int) {
		t.Helper()
		return runCardflow(t, []string{"OKTA_ORG_URL=" + org, "OKTA_API_TOKEN=dev-token", "OKTA_EVENT_HOOK_SECRET=e2e-hook-secret",
			"NO_COLOR=1", "HOME=" + dir}, append([]string{"validate", "--check-env"}, append(args, flows)...)...)
	}

	out, errOut, code := validate(oktaURL)
	errOut = strings.Join(strings.Fields(errOut), " ")
	if code != 0 || !strings.Contains(out, "The configuration is valid, with 1 warning.") {
		t.Fatalf("hook lacking a type: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Count(errOut, "Event Hook Lacks Event Types") != 1 ||
		!strings.Contains(errOut, "The event hook HR events ("+hooks[0].ID+") does not deliver user.lifecycle.deactivate, which") ||
		!strings.Contains(errOut, "connections.hcl:2:1") {
		t.Errorf("the warning should name the hook, its id and the missing type once, on the connection block:\n%s", errOut)
	}
	if strings.Contains(out+errOut, "e2e-hook-secret") {
		t.Error("the hook secret is in validate's output")
	}
	// Without --check-env validate reads nothing from Okta.
	plain := exec.Command(cardflowBin, "validate", flows)
	plain.Env = []string{"OKTA_ORG_URL=" + oktaURL, "OKTA_API_TOKEN=dev-token", "OKTA_EVENT_HOOK_SECRET=e2e-hook-secret", "NO_COLOR=1", "HOME=" + dir}
	if b, err := plain.CombinedOutput(); err != nil || strings.TrimSpace(string(b)) != "The configuration is valid." {
		t.Errorf("validate without --check-env: %v\n%s", err, b)
	}
	out, _, code = validate(oktaURL, "--format", "json")
	if code != 0 || !strings.Contains(out, `"warning_count": 1`) || !strings.Contains(out, "user.lifecycle.deactivate") {
		t.Errorf("--format json: exit %d\n%s", code, out)
	}

	// The admin adds the type: nothing to say.
	req := strings.Replace(hook, "%s", `"user.lifecycle.create", "user.lifecycle.deactivate"`, 1)
	put(t, oktaURL+"/api/v1/eventHooks/"+hooks[0].ID, req)
	if out, errOut, code := validate(oktaURL); code != 0 || strings.TrimSpace(out) != "The configuration is valid." || errOut != "" {
		t.Errorf("hook with every type: exit %d\n%s\n%s", code, out, errOut)
	}

	out, errOut, code = validate(deniedURL)
	errOut = strings.Join(strings.Fields(errOut), " ")
	if code != 0 || !strings.Contains(out, "with 1 warning") || strings.Count(errOut, "Event Hook Not Checked") != 1 ||
		!strings.Contains(errOut, "okta.eventHooks.read") || !strings.Contains(errOut, "HTTP 403") {
		t.Errorf("token without okta.eventHooks.read: exit %d\n%s\n%s", code, out, errOut)
	}
}

func put(t *testing.T, url, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
	req.Header.Set("Authorization", "SSWS dev-token")
	req.Header.Set("Content-Type", "application/json")
	if code := httpStatus(t, req); code != http.StatusOK {
		t.Fatalf("PUT %s: HTTP %d", url, code)
	}
}

// runCardflow runs the built binary with env and args, and returns what it
// printed and its exit status.
func runCardflow(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(cardflowBin, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}
