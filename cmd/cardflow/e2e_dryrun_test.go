package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// e2eDryRunHTTPFlow posts to a partner, once with a sensitive variable in
// the URL and once in the body of a DELETE.
const e2eDryRunHTTPFlow = `
variable "api_key" {
  type      = string
  sensitive = true
}

connection "okta" "main" {
  org_url           = env("OKTA_ORG_URL")
  token             = env("OKTA_API_TOKEN")
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
}

flow "welcome" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }
  card "plain" {
    action = http.request
    method = "POST"
    url    = "%[1]s/plain"
    body   = jsonencode({a = "b"})
  }
  card "secret_url" {
    action = http.request
    method = "POST"
    url    = "%[1]s/s?key=${var.api_key}"
  }
  card "secret_body" {
    action = http.request
    method = "DELETE"
    url    = "%[1]s/sb"
    body   = var.api_key
  }
}
`

// TestE2EDryRunSendsNoHTTPRequest: the binary's dry run of a flow of
// http.request cards sends none of them, lists all three as writes that
// would be sent, and shows the sensitive variable nowhere.
func TestE2EDryRunSendsNoHTTPRequest(t *testing.T) {
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end")
	}
	t.Parallel()
	partner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a dry run sent %s %s", r.Method, r.URL)
	}))
	defer partner.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "h.hcl"), []byte(fmt.Sprintf(e2eDryRunHTTPFlow, partner.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	const secret = "SuperSecretKey777"
	event, err := filepath.Abs("../../flows/onboarding/testdata/user-created.json")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"dry-run", "welcome", "--event", event, "--var", "api_key=" + secret}

	out, err := exec.Command(cardflowBin, append(args, dir)...).CombinedOutput()
	if err != nil {
		t.Fatalf("dry-run: %v\n%s", err, out)
	}
	for _, want := range []string{"Writes that would be sent (3):", "plain", "secret_url", "secret_body", `"method":"DELETE"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), secret) {
		t.Errorf("the sensitive variable is in the report:\n%s", out)
	}

	cmd := exec.Command(cardflowBin, append(args, "--format", "json", dir)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	jout, err := cmd.Output()
	if err != nil {
		t.Fatalf("dry-run --format json: %v\n%s", err, stderr.String())
	}
	var rep struct {
		Writes []struct {
			Card  string         `json:"card"`
			Input map[string]any `json:"input"`
		} `json:"intercepted_writes"`
	}
	if err := json.Unmarshal(jout, &rep); err != nil {
		t.Fatalf("%v\n%s", err, jout)
	}
	got := map[string]map[string]any{}
	for _, w := range rep.Writes {
		got[w.Card] = w.Input
	}
	// A value made from a sensitive one is sensitive as a whole.
	if len(got) != 3 || got["secret_body"]["body"] != "(sensitive)" || got["secret_url"]["url"] != "(sensitive)" {
		t.Errorf("intercepted writes: %+v", rep.Writes)
	}
	if strings.Contains(string(jout), secret) {
		t.Errorf("the sensitive variable is in the JSON report:\n%s", jout)
	}
}
