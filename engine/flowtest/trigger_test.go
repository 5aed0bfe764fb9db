package flowtest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/flowtest"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// deliveryFlow reads the user of each user.lifecycle.create event from the
// Okta emulator.
const deliveryFlow = `
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
  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.user.id
  }
}
`

const deliverySeed = `{"okta": {"users": [
  {"id": "00u1kari0nordmann0h7", "status": "STAGED", "profile": {"login": "kari@acme.example", "firstName": "Kari", "lastName": "Nordmann", "email": "kari@acme.example"}},
  {"id": "00u2ola0hansen000h7", "status": "STAGED", "profile": {"login": "ola@acme.example", "firstName": "Ola", "lastName": "Hansen", "email": "ola@acme.example"}}
]}}`

// delivery is an Okta event hook body with one event per "type:user".
func delivery(events ...string) string {
	var evs []string
	for i, e := range events {
		typ, user, _ := strings.Cut(e, ":")
		evs = append(evs, `{"uuid": "ev`+string(rune('1'+i))+`", "eventType": "`+typ+`", "published": "2026-11-28T09:14:03.118Z",
  "authenticationContext": {"externalSessionId": "trs1"}, "securityContext": {"isProxy": false},
  "target": [{"id": "`+user+`", "type": "User", "alternateId": "x", "displayName": "x"}]}`)
	}
	return `{"eventType": "com.okta.event_hook", "eventTypeVersion": "1.0", "cloudEventsVersion": "0.1",
  "source": "https://acme.okta.com/api/v1/eventHooks/who1", "eventId": "delivery-1", "eventTime": "2026-11-28T09:14:04.002Z",
  "contentType": "application/json", "data": {"events": [` + strings.Join(evs, ",") + `]}}`
}

// runDelivery runs one run block of welcome whose trigger_file holds body.
func runDelivery(t *testing.T, body, block string) *flowtest.RunResult {
	t.Helper()
	suite, diags := loadDelivery(t, body, block)
	if diags.HasErrors() {
		t.Fatalf("loading: %s", diags.Error())
	}
	report := run(t, suite)
	if len(report.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(report.Runs))
	}
	return report.Runs[0]
}

// loadDelivery loads welcome and one run block whose trigger_file holds
// body.
func loadDelivery(t *testing.T, body, block string) (*flowtest.Suite, hcl.Diagnostics) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"welcome.hcl": deliveryFlow, "seed.json": deliverySeed, "delivery.json": body,
		"welcome.test.hcl": `run "delivery" {
  flow         = flow.welcome
  trigger_file = "delivery.json"
  emulator "okta" { seed_file = "seed.json" }
` + block + `
}
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return flowtest.Load([]string{dir}, options())
}

// TestTriggerFileDelivery: a trigger_file holding a whole Okta event hook
// delivery runs the flow as cardflow run would: one execution per event the
// trigger accepts, in order, with the payload the webhook makes of it
// (trigger.delivery, the trigger.user accessor; attributes of a real event
// the trigger's type lacks are dropped, not refused). Asserts see the last
// execution; calls count over all.
func TestTriggerFileDelivery(t *testing.T) {
	t.Run("a real delivery", func(t *testing.T) {
		real, err := os.ReadFile("../cli/testdata/event-hook-user-created.json")
		if err != nil {
			t.Fatal(err)
		}
		// Its event's user, in this test's seed.
		body := strings.ReplaceAll(string(real), "00u8newUsEr1234abc0h7", "00u1kari0nordmann0h7")
		r := runDelivery(t, body, `
  assert {
    condition     = card.read_user.login == "kari@acme.example" && trigger.delivery.event_id == "6c1e4a52-6b0e-4c1f-9d2e-2f7d8c3b9a11"
    error_message = "read_user must read the event's user"
  }`)
		if !r.Passed || r.Executions != 1 || r.Status != store.Succeeded {
			t.Errorf("passed %v, %d executions, %s; want one, succeeded:\n%s", r.Passed, r.Executions, r.Status, diagText(r.Diagnostics))
		}
	})
	t.Run("several events, one of another type", func(t *testing.T) {
		body := delivery("user.lifecycle.create:00u1kari0nordmann0h7", "user.lifecycle.deactivate:00u1kari0nordmann0h7", "user.lifecycle.create:00u2ola0hansen000h7")
		r := runDelivery(t, body, `
  expect_call "okta.read_user" {
    with  = { user = "00u1kari0nordmann0h7" }
    count = 1
  }
  expect_call "okta.read_user" {
    with  = { user = "00u2ola0hansen000h7" }
    count = 1
  }
  assert {
    condition     = trigger.event.uuid == "ev3" && card.read_user.login == "ola@acme.example"
    error_message = "asserts see the last execution"
  }`)
		if !r.Passed || r.Executions != 2 || r.Calls["okta.read_user"] != 2 {
			t.Errorf("passed %v, %d executions, calls %v; want 2 executions of the 2 create events:\n%s", r.Passed, r.Executions, r.Calls, diagText(r.Diagnostics))
		}
	})
	t.Run("an event repeated in the delivery", func(t *testing.T) {
		// cardflow run keeps one execution per event uuid, and so does
		// cardflow dry-run: the repeat of ev1 starts none.
		body := delivery("user.lifecycle.create:00u1kari0nordmann0h7", "user.lifecycle.create:00u2ola0hansen000h7", "user.lifecycle.create:00u1kari0nordmann0h7")
		body = strings.Replace(body, `"uuid": "ev3"`, `"uuid": "ev1"`, 1)
		r := runDelivery(t, body, `
  expect_call "okta.read_user" {
    with  = { user = "00u1kari0nordmann0h7" }
    count = 1
  }
  assert {
    condition     = trigger.event.uuid == "ev2"
    error_message = "asserts see the last execution, that of ev2"
  }`)
		if !r.Passed || r.Executions != 2 || r.Calls["okta.read_user"] != 2 {
			t.Errorf("passed %v, %d executions, calls %v; want 2 executions, ev3 repeating ev1:\n%s", r.Passed, r.Executions, r.Calls, diagText(r.Diagnostics))
		}
	})
	t.Run("repeat delivers it again", func(t *testing.T) {
		body := delivery("user.lifecycle.create:00u1kari0nordmann0h7", "user.lifecycle.create:00u2ola0hansen000h7")
		r := runDelivery(t, body, "  repeat = 2")
		if !r.Passed || r.Executions != 4 {
			t.Errorf("passed %v, %d executions; want 4 (2 events, twice):\n%s", r.Passed, r.Executions, diagText(r.Diagnostics))
		}
	})
}

// TestTriggerFileDeliveryRefused: a delivery that would start no execution,
// or that is not one, is a diagnostic of the test file on its
// trigger_file, as a trigger value that does not fit is: no run executes.
func TestTriggerFileDeliveryRefused(t *testing.T) {
	for _, tt := range []struct {
		name, body, summary, detail string
	}{
		{"no event the trigger takes", delivery("user.lifecycle.deactivate:00u1kari0nordmann0h7", "user.account.lock:00u1kari0nordmann0h7"),
			"No event of the delivery starts the flow", "has events of type user.account.lock, user.lifecycle.deactivate only"},
		{"no events", delivery(), "No event of the delivery starts the flow", "has no events"},
		{"not an event hook", `{"eventType": "com.example.other", "data": {"events": []}}`,
			"Invalid delivery in trigger file", `not an Okta event hook delivery`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := loadDelivery(t, tt.body, "")
			var got []string
			for _, d := range diags {
				got = append(got, d.Summary)
				if d.Summary == tt.summary && !strings.Contains(d.Detail, tt.detail) {
					t.Errorf("detail %q lacks %q", d.Detail, tt.detail)
				}
				if d.Subject == nil || filepath.Base(d.Subject.Filename) != "welcome.test.hcl" || d.Subject.Start.Line != 3 {
					t.Errorf("%s is not on the trigger_file line: %v", d.Summary, d.Subject)
				}
			}
			if diff := cmp.Diff([]string{tt.summary}, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}
