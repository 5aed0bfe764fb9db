package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EValidateCheckEnvGroupsAndApps runs `cardflow validate
// --check-env` against `cardflow emulate okta` standing in for the
// production org: the onboarding flows name their groups and apps in
// variables, which their for_each cards go over, and each name the org
// lacks is a warning on the card's argument (exit 0, as for every
// warning). A token that may not read groups gets one warning per card
// saying its groups were not checked. The flows' close code is looked up
// in the ServiceNow instance's choices the same way, and their tables in
// the instance.
func TestE2EValidateCheckEnvGroupsAndApps(t *testing.T) {
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end")
	}
	t.Parallel()
	seed := "../../flows/onboarding/testdata/okta-seed.json" // Employees, VPN Users; Slack, Zoom
	fullURL, _ := startEmulator(t, "okta", "--listen", "127.0.0.1:0", "--token", "dev-token", "--seed", seed)
	short := filepath.Join(t.TempDir(), "seed.json") // no VPN Users, no Zoom
	if err := os.WriteFile(short, []byte(`{"groups": [{"name": "Employees"}], "apps": [{"name": "slack", "label": "Slack", "signOnMode": "SAML_2_0"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	shortURL, _ := startEmulator(t, "okta", "--listen", "127.0.0.1:0", "--token", "dev-token", "--seed", short)
	deniedURL, _ := startEmulator(t, "okta", "--listen", "127.0.0.1:0", "--token", "dev-token", "--seed", seed,
		"--fault", `{"method": "GET", "path": "/api/v1/groups", "status": 403, "for": "1h"}`)
	// The instance's own close codes, which lack the flows' "Solution provided".
	codes := filepath.Join(t.TempDir(), "codes.json")
	if err := os.WriteFile(codes, []byte(`{"close_codes": ["Resolved by caller", "Duplicate"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	snowURL, _ := startEmulator(t, "servicenow", "--listen", "127.0.0.1:0", "--user", "svc", "--password", "e2e-snow-password")
	ownCodesURL, _ := startEmulator(t, "servicenow", "--listen", "127.0.0.1:0", "--user", "svc", "--password", "e2e-snow-password", "--seed", codes)

	// The onboarding flows, and one that names its group in the card.
	dir := t.TempDir()
	flows := filepath.Join(dir, "flows")
	if err := os.MkdirAll(flows, 0o755); err != nil {
		t.Fatal(err)
	}
	// Not flows.WriteOnboarding: the flow tests it writes too read
	// testdata/ files it does not write, and validate checks them.
	names, _ := filepath.Glob("../../flows/onboarding/*.hcl")
	for _, name := range names {
		if strings.HasSuffix(name, ".test.hcl") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(flows, filepath.Base(name)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	welcome := `flow "welcome" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }
  card "join" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    user       = trigger.event.target[0].id
    group      = "Employes"
  }
}
`
	if err := os.WriteFile(filepath.Join(flows, "welcome.hcl"), []byte(welcome), 0o644); err != nil {
		t.Fatal(err)
	}
	instance := snowURL
	validate := func(org string) (stdout, stderr string, code int) {
		t.Helper()
		stdout, stderr, code = runCardflow(t, []string{"OKTA_ORG_URL=" + org, "OKTA_API_TOKEN=dev-token", "OKTA_EVENT_HOOK_SECRET=e2e-hook-secret",
			"SERVICENOW_INSTANCE_URL=" + instance, "SERVICENOW_USERNAME=svc", "SERVICENOW_PASSWORD=e2e-snow-password",
			"NO_COLOR=1", "HOME=" + dir}, "validate", "--check-env", flows)
		return stdout, strings.Join(strings.Fields(stderr), " "), code
	}

	// The org has every group and app the onboarding flows name: only
	// welcome's misspelt group is said.
	out, errOut, code := validate(fullURL)
	if code != 0 || strings.Count(errOut, "No such Okta") != 1 || strings.Contains(errOut, "not checked") ||
		!strings.Contains(errOut, `Warning: No such Okta group on `+filepath.Join(flows, "welcome.hcl")+`:10:18`) ||
		!strings.Contains(errOut, `has no group whose id or name is "Employes"`) {
		t.Errorf("an org with every group and app: exit %d\n%s\n%s", code, out, errOut)
	}

	out, errOut, code = validate(shortURL)
	if code != 0 || !strings.Contains(out, "The configuration is valid, with 3 warnings.") {
		t.Fatalf("an org without VPN Users and Zoom: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		`Warning: No such Okta group on ` + filepath.Join(flows, "provision_on_approval.hcl") + `:33:18`,
		`has no group whose id or name is "VPN Users"`,
		`Warning: No such Okta app on ` + filepath.Join(flows, "provision_on_approval.hcl") + `:55:18`,
		`has no app whose id or label is "Zoom"`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}

	out, errOut, code = validate(deniedURL)
	// Once per card that names groups, whatever its for_each goes over.
	if code != 0 || strings.Count(errOut, "Warning: Okta group not checked") != 2 || !strings.Contains(errOut, "HTTP 403") ||
		strings.Contains(errOut, "No such Okta") {
		t.Errorf("a token that may not read groups: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "e2e-hook-secret") || strings.Contains(out+errOut, "dev-token") {
		t.Error("a secret is in validate's output")
	}

	// An instance whose close codes lack the flows' (var.close_code): the
	// resolution would be refused at the end of the first onboarding.
	instance = ownCodesURL
	out, errOut, code = validate(fullURL)
	if code != 0 || strings.Count(errOut, "Warning: No such ServiceNow close code") != 1 ||
		!strings.Contains(errOut, filepath.Join(flows, "provision_on_approval.hcl")+":62:19") ||
		!strings.Contains(errOut, `"Solution provided" is not a close code of `+ownCodesURL+`, whose codes are "Resolved by caller", "Duplicate"`) {
		t.Errorf("an instance without the flows' close code: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "e2e-snow-password") {
		t.Error("the ServiceNow password is in validate's output")
	}

	// Tables the instance does not have, in a trigger and in a card.
	requests := `flow "requests" {
  trigger "servicenow.record_created" {
    connection = connection.servicenow.main
    table      = "u_access_request"
  }
  card "open" {
    action     = servicenow.create_record
    connection = connection.servicenow.main
    table      = "incidnet"
    fields     = { short_description = "Access for ${trigger.number}" }
  }
}
`
	if err := os.WriteFile(filepath.Join(flows, "requests.hcl"), []byte(requests), 0o644); err != nil {
		t.Fatal(err)
	}
	instance = snowURL
	out, errOut, code = validate(fullURL)
	req := filepath.Join(flows, "requests.hcl")
	if code != 0 || strings.Count(errOut, "Warning: No such ServiceNow table") != 2 ||
		!strings.Contains(errOut, "No such ServiceNow table on "+req+":4:18") || !strings.Contains(errOut, `has no table "u_access_request"`) ||
		!strings.Contains(errOut, "No such ServiceNow table on "+req+":9:18") || !strings.Contains(errOut, `has no table "incidnet"`) {
		t.Errorf("tables the instance lacks: exit %d\n%s\n%s", code, out, errOut)
	}
}
