package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const e2eEndpointFlow = `
variable "endpoint_token" {
  type      = string
  sensitive = true
}

flow "hr_push" {
  trigger "http.endpoint" {
    token = var.endpoint_token
  }
  card "c" {
    action = text.compose
    text   = "got ${jsonencode(trigger.body)}"
  }
}
`

// TestE2EMalformedEventsAreRefused sends authenticated deliveries whose
// events do not fit the trigger's type or bounds: each is refused with 400
// naming the field, and nothing is stored. A well-formed delivery after
// them is accepted, so the checks refuse what is wrong, not everything.
func TestE2EMalformedEventsAreRefused(t *testing.T) {
	e := newE2E(t)
	if err := os.WriteFile(filepath.Join(e.flowDir, "hr_push.hcl"), []byte(e2eEndpointFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	const token = "e2e-endpoint-token"
	e.extraArgs = []string{"--var", "endpoint_token=" + token}
	e.start()

	delivery := func(events ...string) string {
		return `{"eventType":"com.okta.event_hook","eventTypeVersion":"1.0","source":"x","eventId":"d1",` +
			`"eventTime":"2026-11-28T10:00:00.000Z","data":{"events":[` + strings.Join(events, ",") + `]}}`
	}
	event := func(uuid, target string) string {
		ev := `{"uuid":"` + uuid + `","eventType":"user.lifecycle.create","published":"2026-11-28T10:00:00.000Z"`
		if target != "" {
			ev += `,"target":` + target
		}
		return ev + `}`
	}
	goodTarget := `[{"id":"00unobody","type":"User"}]`
	hook := []struct {
		name, body, field string
	}{
		{"no target", delivery(event("u-1", "")), "trigger.event.target is missing"},
		{"null target", delivery(event("u-1", "null")), "trigger.event.target is missing"},
		{"string target", delivery(event("u-1", `"00unobody"`)), "trigger.event.target must be a list, not a string"},
		{"target of strings", delivery(event("u-1", `["00unobody"]`)), "trigger.event.target[0] must be an object, not a string"},
		{"10 kB uuid", delivery(event(strings.Repeat("u", 10_000), goodTarget)), "event.uuid is 10000 bytes long"},
		{"invalid UTF-8", delivery(event("u-1", `[{"id":"00u`+"\xff\xfe"+`","type":"User"}]`)), "trigger.event.target[0].id is not valid UTF-8"},
		{"one bad event of two", delivery(event("u-1", goodTarget), event("u-2", `"x"`)), "event 2 of 2: trigger.event.target must be a list"},
	}
	for _, c := range hook {
		t.Run("hook/"+c.name, func(t *testing.T) {
			status, body := e.post(e.url("/hooks/okta/main"), c.body, map[string]string{"Authorization": e2eHookSecret})
			if status != http.StatusBadRequest || !strings.Contains(body, c.field) {
				t.Errorf("status %d, body %s; want 400 naming %q", status, body, c.field)
			}
		})
	}
	endpoint := []struct {
		name, body, key, field string
	}{
		{"10 kB Idempotency-Key", `{"a":1}`, strings.Repeat("k", 10_000), "the Idempotency-Key header is 10000 bytes long"},
		{"invalid UTF-8 body", `{"name":"` + "\xff" + `"}`, "", "trigger.body is not valid UTF-8"},
		{"a 100 kB string", `{"name":"` + strings.Repeat("x", 100<<10) + `"}`, "", "trigger.body.name is 102400 bytes long"},
	}
	for _, c := range endpoint {
		t.Run("endpoint/"+c.name, func(t *testing.T) {
			h := map[string]string{"X-Api-Client-Token": token}
			if c.key != "" {
				h["Idempotency-Key"] = c.key
			}
			status, body := e.post(e.url("/flows/hr_push/invoke"), c.body, h)
			if status != http.StatusBadRequest || !strings.Contains(body, c.field) {
				t.Errorf("status %d, body %.300s; want 400 naming %q", status, body, c.field)
			}
		})
	}
	if exs := e.executions(""); len(exs) != 0 {
		t.Fatalf("refused deliveries stored %d executions, want none", len(exs))
	}

	status, body := e.post(e.url("/hooks/okta/main"), delivery(event("u-good", goodTarget)), map[string]string{"Authorization": e2eHookSecret})
	if status != http.StatusOK {
		t.Fatalf("a well-formed delivery: status %d, body %s", status, body)
	}
	status, body = e.post(e.url("/flows/hr_push/invoke"), `{"name":"Ada"}`, map[string]string{"X-Api-Client-Token": token})
	if status != http.StatusAccepted {
		t.Fatalf("a well-formed invocation: status %d, body %s", status, body)
	}
	if exs := e.executions(""); len(exs) != 2 {
		t.Errorf("%d executions after two well-formed events, want 2", len(exs))
	}
}

// post POSTs a JSON body with headers and returns the status and body.
func (e *e2e) post(url, body string, headers map[string]string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var msg struct{ Error string }
	if json.Unmarshal(b, &msg) == nil && msg.Error != "" {
		return resp.StatusCode, msg.Error
	}
	return resp.StatusCode, string(b)
}
