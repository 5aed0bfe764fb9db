package runtime

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/cardflow/cardflow/engine/trigger"
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

// readerDeliveries are Okta's fixture deliveries and oddDeliveries, by name.
func readerDeliveries(t *testing.T) map[string][]byte {
	t.Helper()
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
	return bodies
}

// TestIntakeValueIsTriggerValue: the trigger value the intake decodes as it
// checks an event (connector.EventCheck with Decode, handed to the worker) is the
// value the worker would decode from the stored payload (triggerValue),
// for the fixture deliveries and odd ones, for flows that read the event
// in different ways.
func TestIntakeValueIsTriggerValue(t *testing.T) {
	gen := compileFlows(t, readerFlows)
	if !gen.Flows["whole"].TriggerUse.Whole() || gen.Flows["incident"].TriggerUse.Whole() || gen.Flows["accessors"].TriggerUse.Whole() {
		t.Fatalf("the flows do not read the trigger as meant: incident %s, accessors %s, whole %s",
			gen.Flows["incident"].TriggerUse, gen.Flows["accessors"].TriggerUse, gen.Flows["whole"].TriggerUse)
	}
	bodies := readerDeliveries(t)
	for name, body := range bodies {
		events, err := okta.DecodeEventHook(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, flowName := range []string{"incident", "accessors", "whole"} {
			flow := gen.Flows[flowName]
			for i := range events {
				ev := &events[i]
				got, err := connector.EventCheck{Decode: true, Use: flow.TriggerUse}.Check(ev, flow.Trigger.Spec)
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

// TestHookStoresEachEventsTerms: the terms the intake reads as it checks an
// event are those Terms reads of its payload, and every flow's execution of
// the event is stored with them, whichever flow's check read them.
func TestHookStoresEachEventsTerms(t *testing.T) {
	gen := compileFlows(t, readerFlows)
	st := memory.New()
	defer st.Close()
	in := &trigger.Intake{Store: st, Generation: func() *plan.Generation { return gen }}
	addr := gen.Connections[gen.Flows["incident"].Trigger.Connection].Addr
	ctx := context.Background()
	stored := 0
	for name, body := range readerDeliveries(t) {
		events, err := okta.DecodeEventHook(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		res, err := in.Hook(ctx, gen, addr, events)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, q := range res {
			ex, err := st.Execution(ctx, q.ID)
			if err != nil {
				t.Fatal(err)
			}
			stored++
			if want := trigger.Terms(ex.Payload); !slices.Equal(ex.Terms, want) && (len(ex.Terms) > 0 || len(want) > 0) {
				t.Errorf("%s, flow %s: terms %q, the payload's are %q", name, ex.Flow, ex.Terms, want)
			}
		}
	}
	if stored < 2*len(readerDeliveries(t)) {
		t.Errorf("%d executions stored: the flows did not take the deliveries", stored)
	}
}
