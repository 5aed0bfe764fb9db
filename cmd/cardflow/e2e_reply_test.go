package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/server"
	"github.com/google/go-cmp/cmp"
)

// replySecret is a sensitive variable the failing reply flow puts in its
// error: the 500 its caller gets must not carry it.
const replySecret = "reply-secret-5c1e"

const e2eReplyFlows = `
variable "endpoint_token" {
  type      = string
  sensitive = true
}

variable "upstream_secret" {
  type      = string
  sensitive = true
}

# An Okta registration inline hook: the answer is the flow's result.
flow "registration_hook" {
  trigger "http.endpoint" {
    token         = var.endpoint_token
    reply         = "result"
    reply_timeout = "5s"
  }
  card "decide" {
    action = flow.return
    result = {
      commands = [{
        type  = "com.okta.action.update"
        value = { registration = length(regexall("@example[.]com$", trigger.body.data.userProfile.email)) > 0 ? "ALLOW" : "DENY" }
      }]
    }
  }
}

# Okta Workflows' Return Raw: status, headers and body.
flow "raw_reply" {
  trigger "http.endpoint" {
    token = var.endpoint_token
    reply = "raw"
  }
  card "answer" {
    action = flow.return
    result = {
      status  = 201
      headers = { "Content-Type" = "application/xml", "X-Request-Login" = trigger.body.login }
      body    = "<created login=\"${trigger.body.login}\"/>"
    }
  }
}

flow "failing_reply" {
  trigger "http.endpoint" {
    token = var.endpoint_token
    reply = "result"
  }
  card "upstream" {
    action  = flow.fail
    message = "upstream refused the key ${var.upstream_secret}"
  }
}

flow "slow_reply" {
  trigger "http.endpoint" {
    token         = var.endpoint_token
    reply         = "result"
    reply_timeout = "1s"
  }
  card "pause" {
    action = flow.wait
    for    = "3s"
  }
  card "done" {
    action = flow.return
    result = { finished = true }
  }
}

flow "receipt" {
  trigger "http.endpoint" {
    token = var.endpoint_token
  }
  card "done" {
    action = flow.return
    result = { ignored = true }
  }
}
`

// replyAnswer is one answer of an endpoint flow.
type replyAnswer struct {
	status int
	header http.Header
	body   string
	took   time.Duration
}

func (e *e2e) invokeReply(flow, body string, headers map[string]string) replyAnswer {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.url("/flows/"+flow+"/invoke"), strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Api-Client-Token", "e2e-endpoint-token")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return replyAnswer{status: resp.StatusCode, header: resp.Header, body: string(b), took: time.Since(start)}
}

// TestE2EEndpointReply runs endpoint flows that answer their caller with
// their result on the built binary: a JSON result (an Okta inline hook's
// commands), a raw reply with its own status and headers, a failing flow
// (500 without the error or its secret), a flow slower than its
// reply_timeout (504 with the execution id, and the execution still
// completes), a retry with the same Idempotency-Key (answered with the
// first call's execution, which ran once), and the default receipt (202).
func TestE2EEndpointReply(t *testing.T) {
	e := newE2E(t)
	if err := os.WriteFile(filepath.Join(e.flowDir, "replies.hcl"), []byte(e2eReplyFlows), 0o644); err != nil {
		t.Fatal(err)
	}
	e.extraArgs = []string{"--var", "endpoint_token=e2e-endpoint-token", "--var", "upstream_secret=" + replySecret}
	e.start()

	t.Run("result", func(t *testing.T) {
		a := e.invokeReply("registration_hook", `{"data":{"userProfile":{"email":"ada@example.com"}}}`, nil)
		if a.status != http.StatusOK || a.header.Get("Content-Type") != "application/json" {
			t.Fatalf("status %d, Content-Type %q, body %s; want 200 JSON", a.status, a.header.Get("Content-Type"), a.body)
		}
		var got any
		if err := json.Unmarshal([]byte(a.body), &got); err != nil {
			t.Fatalf("body %s: %v", a.body, err)
		}
		want := map[string]any{"commands": []any{map[string]any{
			"type": "com.okta.action.update", "value": map[string]any{"registration": "ALLOW"},
		}}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("answer (-want +got):\n%s", diff)
		}
		// Okta gives an inline hook 3 s: the answer must not wait for a
		// poll of the store.
		if a.took > 2*time.Second {
			t.Errorf("the answer took %s", a.took)
		}
		id := a.header.Get(server.ExecutionHeader)
		if ex := e.execution(id); ex.Status != "succeeded" || ex.Flow != "registration_hook" {
			t.Errorf("execution %q named by the answer: %s of %s", id, ex.Status, ex.Flow)
		}
		deny := e.invokeReply("registration_hook", `{"data":{"userProfile":{"email":"eve@evil.test"}}}`, nil)
		if !strings.Contains(deny.body, `"registration":"DENY"`) {
			t.Errorf("another caller's answer: %d %s", deny.status, deny.body)
		}
	})

	t.Run("raw", func(t *testing.T) {
		a := e.invokeReply("raw_reply", `{"login":"ada"}`, nil)
		if a.status != http.StatusCreated || a.body != `<created login="ada"/>` {
			t.Errorf("status %d, body %q; want 201 with the flow's body", a.status, a.body)
		}
		if ct, x := a.header.Get("Content-Type"), a.header.Get("X-Request-Login"); ct != "application/xml" || x != "ada" {
			t.Errorf("headers Content-Type %q, X-Request-Login %q", ct, x)
		}
	})

	t.Run("failed", func(t *testing.T) {
		a := e.invokeReply("failing_reply", `{}`, nil)
		id := a.header.Get(server.ExecutionHeader)
		if a.status != http.StatusInternalServerError || id == "" || !strings.Contains(a.body, id) {
			t.Fatalf("status %d, body %s; want 500 naming the execution", a.status, a.body)
		}
		// Neither the secret nor the error (which names the card and
		// may name hosts and paths) reach the caller.
		for _, leak := range []string{replySecret, "upstream", "flow.fail", "sensitive"} {
			if strings.Contains(a.body, leak) {
				t.Errorf("the 500 answer carries %q: %s", leak, a.body)
			}
		}
		// The error is in the history, for the admin, redacted there.
		if ex := e.execution(id); ex.Status != "failed" || !strings.Contains(ex.Error, "card upstream") {
			t.Errorf("execution: %s %q", ex.Status, ex.Error)
		}
	})

	t.Run("timeout", func(t *testing.T) {
		a := e.invokeReply("slow_reply", `{}`, nil)
		id := a.header.Get(server.ExecutionHeader)
		var body struct{ Error, Execution string }
		_ = json.Unmarshal([]byte(a.body), &body)
		if a.status != http.StatusGatewayTimeout || id == "" || body.Execution != id {
			t.Fatalf("status %d, body %s; want 504 naming the execution", a.status, a.body)
		}
		if a.took < time.Second || a.took > 2500*time.Millisecond {
			t.Errorf("the 504 came after %s, want about the reply_timeout of 1s", a.took)
		}
		// The execution goes on to its end without the caller.
		eventually(t, "the slow execution to finish", func() bool { return finished(e.execution(id)) })
		ex := e.execution(id)
		var out map[string]any
		_ = json.Unmarshal(ex.Output, &out)
		if ex.Status != "succeeded" || out["finished"] != true {
			t.Errorf("slow execution: %s, output %s", ex.Status, ex.Output)
		}
	})

	t.Run("retry runs once", func(t *testing.T) {
		key := map[string]string{"Idempotency-Key": "okta-hook-delivery-1"}
		first := e.invokeReply("raw_reply", `{"login":"grace"}`, key)
		again := e.invokeReply("raw_reply", `{"login":"grace"}`, key)
		if first.status != http.StatusCreated || again.status != first.status || again.body != first.body {
			t.Errorf("first %d %q, retry %d %q; want the same answer", first.status, first.body, again.status, again.body)
		}
		if a, b := first.header.Get(server.ExecutionHeader), again.header.Get(server.ExecutionHeader); a == "" || a != b {
			t.Errorf("executions %q and %q; want the same one", a, b)
		}
		if n := len(e.executionsFor("raw_reply", "grace")); n != 1 {
			t.Errorf("%d executions for one delivery and its retry, want 1", n)
		}
	})

	t.Run("receipt by default", func(t *testing.T) {
		a := e.invokeReply("receipt", `{}`, nil)
		var body struct{ Executions []string }
		if err := json.Unmarshal([]byte(a.body), &body); err != nil || a.status != http.StatusAccepted || len(body.Executions) != 1 {
			t.Fatalf("status %d, body %s; want 202 with the execution id", a.status, a.body)
		}
		if strings.Contains(a.body, "ignored") || a.header.Get(server.ExecutionHeader) != "" {
			t.Errorf("a receipt carries the flow's result: %v %s", a.header, a.body)
		}
		eventually(t, "the receipt's execution to finish", func() bool { return finished(e.execution(body.Executions[0])) })
	})

	for _, p := range e.runs {
		if strings.Contains(p.out.String(), replySecret) {
			t.Errorf("the secret reached the log")
		}
	}
	e.checkNoSecrets()
}
