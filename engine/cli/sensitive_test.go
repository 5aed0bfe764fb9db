package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sensitivePassword is the password of an Okta password import hook in
// the tests below; sensitiveMarker is part of it that survives every
// spelling.
const (
	sensitivePassword = "Xq7&vR2m-kP9zL4w"
	sensitiveMarker   = "kP9zL4w"
)

const sensitiveFlow = `
flow "password_import" {
  trigger "http.endpoint" {
    token     = env("HR_ENDPOINT_TOKEN")
    reply     = "result"
    sensitive = ["data.context.credential.password"]
  }
  card "verify" {
    action = http.request
    method = "POST"
    url    = "https://legacy.example.com/verify"
    body = {
      username = trigger.body.data.context.credential.username
      password = trigger.body.data.context.credential.password
    }
  }
  card "answer" {
    action = flow.return
    result = { credential = card.verify.status == 200 ? "VERIFIED" : "UNVERIFIED" }
  }
}
`

// sensitiveEvent is the trigger value of a password import call.
var sensitiveEvent = `{"method": "POST", "headers": {}, "query": {}, "body": {"data": {"context": {"credential":
  {"username": "isaac.brock@example.com", "password": "` + sensitivePassword + `"}}}}}`

// TestDryRunRedactsSensitiveEndpointFields: a dry run of an endpoint flow
// with sensitive fields shows them redacted, in the trigger as in the
// intercepted write that carries the password, in text and JSON.
func TestDryRunRedactsSensitiveEndpointFields(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "flows.hcl"), sensitiveFlow)
	event := filepath.Join(dir, "event.json")
	write(t, event, sensitiveEvent)
	env := append([]string{"HR_ENDPOINT_TOKEN=endpoint-token-value"}, dryRunEnv...)
	for _, format := range []string{"text", "json"} {
		res := run(t, env, "dry-run", "--format", format, "password_import", "--event", event, dir)
		if res.code != 0 {
			t.Fatalf("dry-run --format %s:\n%s", format, res)
		}
		if strings.Contains(res.stdout+res.stderr, sensitiveMarker) {
			t.Errorf("dry-run --format %s shows the password:\n%s", format, res)
		}
		if !strings.Contains(res.stdout, "(sensitive)") {
			t.Errorf("dry-run --format %s shows no redaction:\n%s", format, res)
		}
		if format != "json" {
			continue
		}
		var rep struct {
			Execution struct {
				Trigger struct {
					Body struct {
						Data struct {
							Context struct{ Credential map[string]string }
						}
					}
				}
			}
			Writes []struct {
				Input struct{ Body map[string]string }
			} `json:"intercepted_writes"`
		}
		if err := json.Unmarshal([]byte(res.stdout), &rep); err != nil {
			t.Fatal(err)
		}
		cred := rep.Execution.Trigger.Body.Data.Context.Credential
		if cred["password"] != "(sensitive)" || cred["username"] != "isaac.brock@example.com" {
			t.Errorf("trigger credential %v; want the password redacted, the username kept", cred)
		}
		if len(rep.Writes) != 1 || rep.Writes[0].Input.Body["password"] != "(sensitive)" {
			t.Errorf("intercepted writes %+v; want the verify request with the password redacted", rep.Writes)
		}
	}
}

// TestTestGivesSensitiveEndpointFields: a flow test gives the password in
// its trigger, and the flow, its mocks and its expectations see the real
// value.
func TestTestGivesSensitiveEndpointFields(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "flows.hcl"), sensitiveFlow)
	write(t, filepath.Join(dir, "password_import.test.hcl"), `
run "the legacy directory verifies the password" {
  flow    = flow.password_import
  trigger = {
    body = { data = { context = { credential = { username = "isaac.brock@example.com", password = "`+sensitivePassword+`" } } } }
  }
  mock "http.request" {
    output = { status = input.body.password == "`+sensitivePassword+`" ? 200 : 401 }
  }
  expect_call "http.request" { with = { body = { password = "`+sensitivePassword+`" } } }
  assert {
    condition     = card.verify.status == 200
    error_message = "The flow must send the real password."
  }
  expect_status = "succeeded"
}
`)
	res := run(t, []string{"HR_ENDPOINT_TOKEN=endpoint-token-value"}, "test", dir)
	if res.code != 0 || !strings.Contains(res.stdout, "1 passed") {
		t.Fatalf("cardflow test:\n%s", res)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
