package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/server"
)

// importPassword is the cleartext password an Okta password import inline
// hook posts. Its "&" is escaped in JSON as \u0026, so a leak in that
// spelling is looked for too (passwordMarker survives either). The store
// compresses what it keeps (S2, with a dictionary of connector payloads):
// random text such as the password, or the user's marker, stays as it is
// in the compressed bytes, so a scan of the file finds either if stored.
const (
	importPassword = "Xq7&vR2m-kP9zL4w"
	passwordMarker = "kP9zL4w"
	importUser     = "ibrock-zq81vx@acme-legacy.test"
	userMarker     = "zq81vx"
)

const e2eSensitiveFlows = `
variable "endpoint_token" {
  type      = string
  sensitive = true
}

variable "legacy_url" {
  type = string
}

# An Okta password import inline hook: verify the password against the
# legacy directory, answer VERIFIED or UNVERIFIED.
flow "password_import" {
  trigger "http.endpoint" {
    token         = var.endpoint_token
    reply         = "result"
    reply_timeout = "5s"
    sensitive     = ["data.context.credential.password"]
  }
  card "verify" {
    action = http.request
    method = "POST"
    url    = "${var.legacy_url}/verify"
    body = {
      username = trigger.body.data.context.credential.username
      password = trigger.body.data.context.credential.password
    }
  }
  card "answer" {
    action = flow.return
    result = {
      commands = [{
        type  = "com.okta.action.update"
        value = { credential = card.verify.body.valid ? "VERIFIED" : "UNVERIFIED" }
      }]
    }
  }
}
`

// e2eSensitiveWait waits longer than an execution waits on its worker
// (1 s) before it reads the password: it must not park, since a parked
// execution resumes from the stored event, which lacks the password.
const e2eSensitiveWait = `
flow "password_wait" {
  trigger "http.endpoint" {
    token         = var.endpoint_token
    reply         = "result"
    reply_timeout = "10s"
    sensitive     = ["password"]
  }
  card "pause" {
    action = flow.wait
    for    = "2s"
  }
  card "answer" {
    action = flow.return
    result = { given = trigger.body.password != "" }
  }
}
`

// passwordImportBody is the body Okta posts to a password import inline
// hook (com.okta.user.credential.password.import), with extra carrying
// anything else the caller adds.
func passwordImportBody(username, password, extra string) string {
	b, _ := json.Marshal(map[string]any{
		"eventType": "com.okta.user.credential.password.import", "eventTypeVersion": "1.0",
		"contentType": "application/json", "eventId": "3o9jBzq1SmOGmmsDsqyyeQ", "extra": extra,
		"data": map[string]any{
			"context": map[string]any{
				"request":    map[string]any{"method": "POST", "url": map[string]any{"value": "/api/v1/authn"}},
				"credential": map[string]any{"username": username, "password": password},
			},
			"action": map[string]any{"credential": "UNVERIFIED"},
		},
	})
	return string(b)
}

// TestE2ESensitiveEndpointFields runs an Okta password import hook on the
// built binary: the flow verifies the posted password with a legacy
// directory and answers from it, while the password reaches neither the
// history (API, CLI, console), nor the journal, nor the log, nor any byte
// of the SQLite files; a replay, which would have only the stored event,
// is refused naming the field instead of sending the placeholder as the
// password.
func TestE2ESensitiveEndpointFields(t *testing.T) {
	e := newE2E(t)
	var verified []string // the passwords the legacy directory was sent
	legacy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Username, Password string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		verified = append(verified, in.Password)
		if in.Username == "echo" {
			// A directory that quotes what it was sent in its error.
			http.Error(w, "refused the password "+in.Password, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"valid": `+boolJSON(in.Username == importUser && in.Password == importPassword)+`}`)
	}))
	t.Cleanup(legacy.Close)
	// The same flow with a concurrency limit: the intake leaves its
	// executions pending rather than hand them to a worker as it stores
	// them, and the worker that claims one must still get the password.
	serial := strings.Replace(e2eSensitiveFlows[strings.Index(e2eSensitiveFlows, "flow "):], `flow "password_import" {`,
		`flow "password_import_serial" {
  concurrency = 1`, 1)
	if err := os.WriteFile(filepath.Join(e.flowDir, "password_import.hcl"), []byte(e2eSensitiveFlows+serial+e2eSensitiveWait), 0o644); err != nil {
		t.Fatal(err)
	}
	e.extraArgs = []string{"--var", "endpoint_token=e2e-endpoint-token", "--var", "legacy_url=" + legacy.URL}
	e.start()

	// A caller that echoes its token in the body has it kept out too.
	a := e.invokeReply("password_import", passwordImportBody(importUser, importPassword, "token e2e-endpoint-token"), nil)
	if a.status != http.StatusOK || !strings.Contains(a.body, `"credential":"VERIFIED"`) {
		t.Fatalf("right password: status %d, body %s; want 200 VERIFIED", a.status, a.body)
	}
	wrong := e.invokeReply("password_import", passwordImportBody(importUser, "not-the-password", ""), nil)
	if wrong.status != http.StatusOK || !strings.Contains(wrong.body, `"credential":"UNVERIFIED"`) {
		t.Fatalf("wrong password: status %d, body %s; want 200 UNVERIFIED", wrong.status, wrong.body)
	}
	s := e.invokeReply("password_import_serial", passwordImportBody(importUser, importPassword, ""), nil)
	if s.status != http.StatusOK || !strings.Contains(s.body, `"credential":"VERIFIED"`) {
		t.Fatalf("right password, flow with a concurrency limit: status %d, body %s; want 200 VERIFIED", s.status, s.body)
	}
	if len(verified) != 3 || verified[0] != importPassword || verified[2] != importPassword {
		t.Fatalf("the legacy directory was sent %q; want the real password first and last", verified)
	}
	id := a.header.Get(server.ExecutionHeader)

	if w := e.invokeReply("password_wait", `{"password": "`+importPassword+`"}`, nil); w.status != http.StatusOK || w.body != `{"given":true}` {
		t.Errorf("a flow that waits before it reads the password: %d %s; want 200 {\"given\":true}", w.status, w.body)
	}

	// The card fails with an error that quotes the password: the error
	// is scrubbed in the history and the log.
	echo := e.invokeReply("password_import", passwordImportBody("echo", importPassword, ""), nil)
	echoed := e.execution(echo.header.Get(server.ExecutionHeader))
	if echo.status != http.StatusInternalServerError || echoed.Status != "failed" || !strings.Contains(echoed.Error, "refused the password (sensitive)") {
		t.Errorf("a failure quoting the password: answer %d, execution %s %q; want 500, failed, the password scrubbed", echo.status, echoed.Status, echoed.Error)
	}
	verified = verified[:3]

	ex := e.execution(id)
	var trig struct {
		Body struct {
			Extra string
			Data  struct {
				Context struct {
					Credential struct{ Username, Password string }
				}
			}
		}
	}
	if err := json.Unmarshal(ex.Trigger, &trig); err != nil {
		t.Fatalf("trigger %s: %v", ex.Trigger, err)
	}
	cred := trig.Body.Data.Context.Credential
	if cred.Password != "(sensitive)" || cred.Username != importUser || trig.Body.Extra != "token (sensitive)" {
		t.Errorf("stored trigger: credential %+v, extra %q; want the password and the token redacted, the rest kept", cred, trig.Body.Extra)
	}
	var in struct {
		Body struct{ Username, Password string }
	}
	if len(ex.Cards) > 0 {
		_ = json.Unmarshal(ex.Cards[0].Input, &in)
	}
	if in.Body.Password != "(sensitive)" || in.Body.Username != importUser {
		t.Errorf("the verify card's journaled input %+v; want the password redacted, the user kept", in)
	}

	// A replay would have only the stored event: the admin API and the
	// CLI refuse it, naming the field, and the execution keeps its
	// outcome; no placeholder is ever sent as the password.
	const why = "trigger field data.context.credential.password is sensitive and was not stored: this execution cannot be resumed or replayed"
	resp, err := http.Post(e.adminURL("/api/v1/executions/"+id+"/replay"), "application/json", strings.NewReader(`{"force": true}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(body), why) {
		t.Errorf("replay: %d %s; want 409 naming the field", resp.StatusCode, body)
	}
	out, err := exec.Command(cardflowBin, "replay", id, "--force", "--db", e.db).CombinedOutput()
	if err == nil || !strings.Contains(string(out), why) {
		t.Errorf("cardflow replay: %v\n%s; want a refusal naming the field", err, out)
	}
	if got := e.execution(id); got.Status != "succeeded" {
		t.Errorf("after the refused replays the execution is %s, want succeeded still", got.Status)
	}
	if len(verified) != 3 {
		t.Errorf("a replay called the legacy directory with %q", verified[3:])
	}

	outputs := map[string]string{"the log": e.cur.out.String()}
	for _, path := range []string{"/api/v1/executions/" + id, "/api/v1/executions/" + echoed.ID, "/api/v1/executions?flow=password_import", "/ui/executions/" + id} {
		resp, err := http.Get(e.adminURL(path))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		outputs["GET "+path] = string(b)
	}
	for _, args := range [][]string{{"history", "--flow", "password_import"}, {"show", id}, {"show", id, "--format", "json"}} {
		out, err := exec.Command(cardflowBin, append(args, "--db", e.db)...).CombinedOutput()
		if err != nil {
			t.Fatalf("cardflow %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		outputs["cardflow "+strings.Join(args, " ")] = string(out)
	}
	if !strings.Contains(outputs["cardflow show "+id], "(sensitive)") {
		t.Errorf("cardflow show does not show the redaction:\n%s", outputs["cardflow show "+id])
	}
	if err := e.cur.terminate(waitFor); err != nil {
		t.Fatalf("stopping cardflow: %v", err)
	}
	outputs["the log"] = e.cur.out.String()
	// Every byte the store wrote: the database and any WAL left beside it.
	files, _ := filepath.Glob(e.db + "*")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		outputs[filepath.Base(f)] = string(b)
	}
	escaped, _ := json.Marshal(importPassword)
	for where, text := range outputs {
		for _, s := range []string{importPassword, string(escaped[1 : len(escaped)-1]), passwordMarker, "e2e-endpoint-token"} {
			if strings.Contains(text, s) {
				t.Errorf("%s holds %q", where, s)
			}
		}
	}
	if !bytes.Contains([]byte(outputs[filepath.Base(e.db)]), []byte(userMarker)) {
		t.Errorf("the store file does not show the user beside the password: the search for the password cannot see what is stored")
	}
}

func boolJSON(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
