package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EValidateCheckEnvRefusedToken runs `cardflow validate --check-env`
// against `cardflow emulate okta --token dev-token`: a token the org does
// not know (401 E0000011, as a mistyped, revoked or expired one) is an
// error on the connection, exit 1, said once and not again as warnings of
// every check; the right token passes; a valid token that lacks a scope
// (403 on the groups) still only warns, exit 0.
func TestE2EValidateCheckEnvRefusedToken(t *testing.T) {
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end")
	}
	t.Parallel()
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(seed, []byte(`{"okta": {"groups": [{"name": "Employees"}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	oktaURL, _ := startEmulator(t, "okta", "--listen", "127.0.0.1:0", "--token", "dev-token", "--seed", seed)
	noGroupsURL, _ := startEmulator(t, "okta", "--listen", "127.0.0.1:0", "--token", "dev-token", "--seed", seed,
		"--fault", `{"method": "GET", "path": "/api/v1/groups", "status": 403, "for": "1h"}`)
	flows := filepath.Join(dir, "flows")
	if err := os.MkdirAll(flows, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"connections.hcl": unmanagedConnection, "join.hcl": `
flow "join" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }
  card "join" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    user       = trigger.user.id
    group      = "Employees"
  }
}
`} {
		if err := os.WriteFile(filepath.Join(flows, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	validate := func(org, token string) (stdout, stderr string, code int) {
		t.Helper()
		stdout, stderr, code = runCardflow(t, []string{"OKTA_ORG_URL=" + org, "OKTA_API_TOKEN=" + token, "OKTA_EVENT_HOOK_SECRET=e2e-hook-secret",
			"NO_COLOR=1", "HOME=" + dir}, "validate", "--check-env", flows)
		return stdout, strings.Join(strings.Fields(stderr), " "), code
	}

	out, errOut, code := validate(oktaURL, "revoked-token")
	if code != 1 || strings.Count(errOut, "Error: Credentials refused") != 1 ||
		!strings.Contains(errOut, filepath.Join(flows, "connections.hcl")+":2:1") ||
		!strings.Contains(errOut, "refused the credentials of connection.okta.main: HTTP 401: E0000011 Invalid token provided") ||
		strings.Contains(errOut, "Warning") || !strings.Contains(errOut, "1 error, 0 warnings.") {
		t.Errorf("a token the org refuses: want exit 1 and one error on the connection, no warnings; exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "revoked-token") {
		t.Error("the token is in validate's output")
	}

	if out, errOut, code := validate(oktaURL, "dev-token"); code != 0 || errOut != "" {
		t.Errorf("the right token: want exit 0 and nothing on stderr; exit %d\n%s\n%s", code, out, errOut)
	}

	out, errOut, code = validate(noGroupsURL, "dev-token")
	if code != 0 || strings.Contains(errOut, "Credentials refused") || !strings.Contains(errOut, "Warning: Okta group not checked") ||
		!strings.Contains(errOut, "HTTP 403") {
		t.Errorf("a valid token without the groups scope: want exit 0 and a warning; exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestE2EValidateCheckEnvRefusedServiceNowPassword runs `cardflow validate
// --check-env` against `cardflow emulate servicenow --user svc --password
// …`: a password the instance refuses (401 User Not Authenticated) is one
// error on the connection block naming the connection, exit 1, instead of
// a "not checked" warning per table; the password is never printed; the
// right password passes.
func TestE2EValidateCheckEnvRefusedServiceNowPassword(t *testing.T) {
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end")
	}
	t.Parallel()
	dir := t.TempDir()
	instance, _ := startEmulator(t, "servicenow", "--listen", "127.0.0.1:0", "--user", "svc", "--password", "e2e-right-snow-password")
	flows := filepath.Join(dir, "flows")
	if err := os.MkdirAll(flows, 0o755); err != nil {
		t.Fatal(err)
	}
	text := `connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
}

flow "requests" {
  trigger "servicenow.record_created" {
    connection = connection.servicenow.main
    table      = "incident"
  }
  card "note" {
    action     = servicenow.add_work_note
    connection = connection.servicenow.main
    sys_id     = trigger.record.sys_id
    note       = "seen"
  }
}
`
	if err := os.WriteFile(filepath.Join(flows, "requests.hcl"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	validate := func(password string) (stdout, stderr string, code int) {
		t.Helper()
		stdout, stderr, code = runCardflow(t, []string{"SERVICENOW_INSTANCE_URL=" + instance, "SERVICENOW_USERNAME=svc",
			"SERVICENOW_PASSWORD=" + password, "NO_COLOR=1", "HOME=" + dir}, "validate", "--check-env", flows)
		return stdout, strings.Join(strings.Fields(stderr), " "), code
	}

	out, errOut, code := validate("e2e-wrong-snow-password")
	if code != 1 || strings.Count(errOut, "Error: Credentials refused") != 1 ||
		!strings.Contains(errOut, filepath.Join(flows, "requests.hcl")+":1:1") ||
		!strings.Contains(errOut, "servicenow refused the credentials of connection.servicenow.main: HTTP 401: "+
			"User Not Authenticated: Required to provide Auth information (username and password)") ||
		strings.Contains(errOut, "Warning") || !strings.Contains(errOut, "1 error, 0 warnings.") {
		t.Errorf("a password the instance refuses: want exit 1 and one error on the connection, no warnings; exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "e2e-wrong-snow-password") {
		t.Error("the password is in validate's output")
	}

	if out, errOut, code := validate("e2e-right-snow-password"); code != 0 || errOut != "" {
		t.Errorf("the right password: want exit 0 and nothing on stderr; exit %d\n%s\n%s", code, out, errOut)
	}
}
