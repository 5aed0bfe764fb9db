package runtime

import (
	"os"
	"testing"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/zclconf/go-cty/cty"
)

// incidentFlow is the incident job of the throughput benchmark: an Okta
// event hook in, a ServiceNow incident out, three fields of the event read.
const incidentFlow = `
connection "okta" "main" {
  org_url           = "http://127.0.0.1:9"
  token             = env("SAMEJOB_SECRET")
  event_hook_secret = env("SAMEJOB_SECRET")
}

connection "servicenow" "main" {
  instance_url = "http://127.0.0.1:9"
  username     = "svc.samejob"
  password     = env("SAMEJOB_SECRET")
}

flow "incident" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "incident" {
    action     = servicenow.create_record
    connection = connection.servicenow.main
    table      = "incident"
    fields = {
      short_description = "New hire onboarding: ${trigger.event.target[0].displayName}"
      description       = "Okta user ${trigger.event.target[0].displayName} <${trigger.event.target[0].alternateId}> was created; provision laptop and accounts."
      correlation_id    = trigger.event.uuid
    }
  }
}
`

// compileFlows compiles the flows of src with the built-in connectors, Okta
// and ServiceNow.
func compileFlows(tb testing.TB, src string) *plan.Generation {
	tb.Helper()
	reg := connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
	cfg, diags := config.LoadSources(map[string][]byte{"flows.hcl": []byte(src)}, reg)
	if diags.HasErrors() {
		tb.Fatal(diags.Error())
	}
	gen, diags := plan.Compile(cfg, plan.Options{Registry: reg, Mode: lang.Check})
	if diags.HasErrors() {
		tb.Fatal(diags.Error())
	}
	return gen
}

// incident returns the incident flow and the payload its executions
// decode: the event of the Okta fixture as the event hook stores it.
func incident(tb testing.TB) (*plan.Flow, []byte) {
	tb.Helper()
	gen := compileFlows(tb, incidentFlow)
	body, err := os.ReadFile("../../connectors/okta/testdata/event-hook-user-created.json")
	if err != nil {
		tb.Fatal(err)
	}
	evs, err := okta.DecodeEventHook(body)
	if err != nil || len(evs) != 1 {
		tb.Fatalf("decoding the Okta fixture: %d events, %v", len(evs), err)
	}
	return gen.Flows["incident"], evs[0].Payload
}

// TestTriggerValueDecodesWhatTheFlowReads: an execution of the incident
// flow decodes the three fields it reads of the event, and none of the
// others.
func TestTriggerValueDecodesWhatTheFlowReads(t *testing.T) {
	flow, payload := incident(t)
	v, err := triggerValue(flow, payload)
	if err != nil {
		t.Fatal(err)
	}
	ev := v.GetAttr("event")
	target := ev.GetAttr("target").Index(cty.NumberIntVal(0))
	for name, got := range map[string]string{
		"event.uuid":                  ev.GetAttr("uuid").AsString(),
		"event.target[0].displayName": target.GetAttr("displayName").AsString(),
		"event.target[0].alternateId": target.GetAttr("alternateId").AsString(),
	} {
		if got == "" {
			t.Errorf("%s is empty", name)
		}
	}
	for name, off := range map[string]bool{
		"delivery":           v.GetAttr("delivery").IsNull(),
		"user":               v.GetAttr("user").IsNull(),
		"event.client":       ev.GetAttr("client").IsNull(),
		"event.actor":        ev.GetAttr("actor").IsNull(),
		"event.published":    ev.GetAttr("published").IsNull(),
		"event.target[0].id": target.GetAttr("id").IsNull(),
	} {
		if !off {
			t.Errorf("%s is decoded, but the flow does not read it", name)
		}
	}
	if !v.Type().Equals(flow.Trigger.Spec.Output) {
		t.Errorf("the trigger value is a %s, not the trigger's output type", v.Type().FriendlyName())
	}
}

// BenchmarkTriggerValue decodes the Okta event of the incident job as an
// execution does: all of it (full), and the three fields the flow reads
// (sparse).
func BenchmarkTriggerValue(b *testing.B) {
	flow, payload := incident(b)
	full := *flow
	full.TriggerUse = nil
	for _, c := range []struct {
		name string
		flow *plan.Flow
	}{{"full", &full}, {"sparse", flow}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			for b.Loop() {
				if _, err := triggerValue(c.flow, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
