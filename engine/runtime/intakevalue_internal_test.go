package runtime

import (
	"os"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
)

// readerFlows read the Okta event hook's trigger value in different ways:
// three fields of the event (the incident job), the accessors and the
// delivery, and all of it.
const readerFlows = incidentFlow + `
flow "accessors" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create", "user.account.update_profile"]
  }
  card "note" {
    action = text.compose
    text   = "${trigger.user.displayName} ${trigger.delivery.event_id} ${trigger.event.client.geographicalContext.city} ${trigger.event.published}"
  }
}

flow "whole" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }
  card "note" {
    action = text.compose
    text   = jsonencode(trigger)
  }
}
`

// odd deliveries: events of unusual shapes that the intake still takes.
var oddDeliveries = []string{
	// Missing fields: no published, target without names, no delivery fields.
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u1","eventType":"user.lifecycle.create","target":[{"id":"00u1","type":"User"}]}]}}`,
	// Nulls where values usually are.
	`{"eventType":"com.okta.event_hook","eventId":null,"data":{"events":[{"uuid":"u2","eventType":"user.lifecycle.create","published":null,` +
		`"actor":null,"client":null,"target":[{"id":"00u2","type":"User","alternateId":null,"displayName":null,"detailEntry":null},null]}]}}`,
	// Unicode, escaped and not, and characters JSON encoders escape.
	`{"eventType":"com.okta.event_hook","eventId":"d\u00e9","data":{"events":[{"uuid":"u3","eventType":"user.lifecycle.create",` +
		`"client":{"geographicalContext":{"city":"Tromsø"}},` +
		`"target":[{"id":"00u3","type":"User","alternateId":"åse@example.com","displayName":"Åse \"Ø\" <Nordmann> 😀 \u2028"}]}]}}`,
	// Several events in one delivery, a target that is not a user first.
	`{"eventType":"com.okta.event_hook","eventId":"d4","data":{"events":[` +
		`{"uuid":"u4","eventType":"user.lifecycle.create","target":[{"id":"g","type":"UserGroup","displayName":"G"},{"id":"00u4","type":"User","displayName":"Four"}]},` +
		`{"uuid":"u5","eventType":"user.account.update_profile","target":[{"id":"00u5","type":"User","displayName":"Five","extra":{"x":[1,2]}}]},` +
		`{"uuid":"u6","eventType":"user.lifecycle.create","target":[],"debugContext":{"debugData":{"requestUri":"/x"}}}]}}`,
}

// TestIntakeValueIsTriggerValue: the trigger value the intake decodes as it
// checks an event (connector.CheckEventValue, handed to the worker) is the
// value the worker would decode from the stored payload (triggerValue),
// for the fixture deliveries and odd ones, for flows that read the event
// in different ways.
func TestIntakeValueIsTriggerValue(t *testing.T) {
	reg := connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
	cfg, diags := config.LoadSources(map[string][]byte{"flows.hcl": []byte(readerFlows)}, reg)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	gen, diags := plan.Compile(cfg, plan.Options{Registry: reg, Mode: lang.Check})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if !gen.Flows["whole"].TriggerUse.Whole() || gen.Flows["incident"].TriggerUse.Whole() || gen.Flows["accessors"].TriggerUse.Whole() {
		t.Fatalf("the flows do not read the trigger as meant: incident %s, accessors %s, whole %s",
			gen.Flows["incident"].TriggerUse, gen.Flows["accessors"].TriggerUse, gen.Flows["whole"].TriggerUse)
	}
	bodies := map[string][]byte{}
	for _, name := range []string{"event-hook-user-created.json", "event-hook-batch-mixed.json"} {
		b, err := os.ReadFile("../../connectors/okta/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		bodies[name] = b
	}
	for i, d := range oddDeliveries {
		bodies["odd "+strings.Repeat("i", i+1)] = []byte(d)
	}
	for name, body := range bodies {
		events, err := okta.DecodeEventHook(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, flowName := range []string{"incident", "accessors", "whole"} {
			flow := gen.Flows[flowName]
			for i := range events {
				ev := &events[i]
				got, err := connector.CheckEventValue(ev, flow.Trigger.Spec, flow.TriggerUse)
				if err != nil {
					t.Fatalf("%s event %d, flow %s: %v", name, i, flowName, err)
				}
				if got == cty.NilVal {
					t.Errorf("%s event %d, flow %s: the intake decoded no value", name, i, flowName)
					continue
				}
				want, err := triggerValue(flow, ev.Payload)
				if err != nil {
					t.Fatal(err)
				}
				if !got.RawEquals(want) {
					t.Errorf("%s event %d, flow %s (uses %s):\n got %#v\nwant %#v", name, i, flowName, flow.TriggerUse, got, want)
				}
			}
		}
	}
}
