package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/google/go-cmp/cmp"
)

// sparseFlows read a few fields of an Okta event, through every kind of
// expression that can read trigger: arguments (templates, function calls,
// indexes), for_each and each, if, the trigger's filter (unprefixed), and
// a helper flow's input.
const sparseFlows = `
connection "okta" "main" {
  org_url           = env("FAKE_URL")
  token             = env("FAKE_TOKEN")
  event_hook_secret = env("FAKE_SECRET")
}

flow "incident" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create", "group.user_membership.add"]
    filter      = "event.severity == 'INFO' && trigger.delivery.event_id != ''"
  }

  card "compose" {
    action     = fake.pure
    connection = connection.fake.main
    id     = "compose"
    value  = "New hire ${trigger.event.target[0].displayName} <${lower(trigger.event.target[0].alternateId)}> (${trigger.event.uuid})"
  }

  card "targets" {
    action     = fake.pure
    connection = connection.fake.main
    for_each = { for i, t in trigger.event.target : tostring(i) => t }
    id       = "target-${each.key}"
    value    = { id = each.value.id, type = each.value.type, ua = trigger.event.client.userAgent }
  }

  card "by_admin" {
    action     = fake.pure
    connection = connection.fake.main
    if     = "trigger.event.actor.type == 'User' && trigger.event.actor.alternateId != ''"
    id     = "by_admin"
    value  = trigger.user
  }

  card "helper" {
    action = flow.call
    flow   = flow.helper
    input  = { uuid = trigger.event.uuid, city = trigger.event.client.geographicalContext.city }
  }
}

flow "helper" {
  trigger "flow.called" {}

  card "echo" {
    action     = fake.pure
    connection = connection.fake.main
    id     = "helper"
    value  = "${trigger.input.uuid} in ${trigger.input.city} for ${trigger.caller.flow}"
  }

  card "done" {
    action = flow.return
    result = card.echo.value
  }
}
`

// TestSparseTriggerRunsAsFull runs the events of the Okta fixtures through
// flows that read a few trigger fields, decoding the fields they read and
// then every field: each card's output is the same both ways.
func TestSparseTriggerRunsAsFull(t *testing.T) {
	f := newFake()
	reg := connector.NewRegistry(append(core.Connectors(), f.connector(), okta.New())...)
	h := &harness{t: t, fake: f, gen: loadGen(t, reg, sparseFlows, lang.VarValues{}), store: memory.New(), clock: newFakeClock()}
	h.exec = &runtime.Executor{Store: h.store, Clients: runtime.NewClients(), Clock: h.clock, ParkAfter: runtime.NeverPark}
	t.Cleanup(func() {
		h.exec.Clients.Close()
		h.store.Close()
	})

	sparse := h.gen.Flows["incident"]
	const want = "delivery.event_id, event.actor.alternateId, event.actor.type, event.client.geographicalContext.city, " +
		"event.client.userAgent, event.severity, event.target, event.uuid, user"
	if got := sparse.TriggerUse.String(); got != want {
		t.Fatalf("TriggerUse = %s\nwant         %s", got, want)
	}
	full := *sparse
	full.TriggerUse = nil
	helper := h.gen.Flows["helper"]
	helperUse := helper.TriggerUse
	if got := helperUse.String(); got != "caller.flow, input" {
		t.Fatalf("helper's TriggerUse = %s", got)
	}

	ran := 0
	for i, ev := range oktaFixtureEvents(t) {
		var runs [2]map[string]any // card instance → output, and the status
		for j, flow := range []*plan.Flow{sparse, &full} {
			// The helper flow, which flow.call finds by name, decodes
			// sparsely or fully with its caller.
			helper.TriggerUse = nil
			if flow == sparse {
				helper.TriggerUse = helperUse
			}
			ex := h.enqueue("incident", fmt.Sprintf("%d/%d", i, j), json.RawMessage(ev.Payload))
			res := h.exec.Execute(context.Background(), ex, flow)
			runs[j] = map[string]any{"status": res.Status}
			for _, e := range h.journal(ex.ID) {
				out, _ := jsonOf(t, e.Output).(map[string]any)
				delete(out, "n") // fake.pure's count of its calls
				runs[j][e.Card+"/"+e.Key] = out
			}
			if res.Status == store.Succeeded && j == 0 {
				ran++
			}
		}
		if diff := cmp.Diff(runs[1], runs[0]); diff != "" {
			t.Errorf("event %d (%s): card outputs (-full +sparse):\n%s", i, ev.ID, diff)
		}
	}
	if ran < 2 {
		t.Errorf("%d events ran the flow to its end, want at least 2", ran)
	}
}

// oktaFixtureEvents are the events of the Okta connector's fixtures, as its
// event hook stores them.
func oktaFixtureEvents(t *testing.T) []connector.Event {
	t.Helper()
	files, err := filepath.Glob("../../connectors/okta/testdata/event-hook-*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Okta fixtures: %v", err)
	}
	var events []connector.Event
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := okta.DecodeEventHook(body)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		events = append(events, evs...)
	}
	return events
}
