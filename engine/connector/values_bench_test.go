package connector_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/connector"
)

// conversionCase is a real payload and the type the engine decodes it to.
type conversionCase struct {
	name string
	json []byte
	ty   cty.Type
}

// realCases are the payloads of the end-to-end benchmark: an Okta event
// hook delivery as the runtime decodes it into trigger.*, and a ServiceNow
// record (the body of a Table API response) as a record trigger delivers
// it and as api_call reads it.
func realCases(tb testing.TB) []conversionCase {
	tb.Helper()
	body, err := os.ReadFile("../../connectors/okta/testdata/event-hook-user-created.json")
	if err != nil {
		tb.Fatal(err)
	}
	evs, err := okta.DecodeEventHook(body)
	if err != nil || len(evs) != 1 {
		tb.Fatalf("decoding the Okta fixture: %d events, %v", len(evs), err)
	}
	hook, _ := okta.New().Trigger("event_hook")

	snBody, err := os.ReadFile("../../connectors/servicenow/testdata/incident-created.json")
	if err != nil {
		tb.Fatal(err)
	}
	var resp struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(snBody, &resp); err != nil {
		tb.Fatal(err)
	}
	record, err := json.Marshal(map[string]any{
		"record": resp.Result, "table": "incident", "sys_id": "a9e30c7dc61122760116894de7bcc7bd",
		"number": "INC0010042", "operation": "created",
	})
	if err != nil {
		tb.Fatal(err)
	}
	created, _ := servicenow.New().Trigger("record_created")
	return []conversionCase{
		{"okta-event/trigger", evs[0].Payload, hook.Output},
		{"okta-event/dynamic", evs[0].Payload, cty.DynamicPseudoType},
		{"servicenow-record/trigger", record, created.Output},
		{"servicenow-record/dynamic", snBody, cty.DynamicPseudoType},
	}
}

func BenchmarkFromJSON(b *testing.B) {
	for _, c := range realCases(b) {
		for _, impl := range []struct {
			name string
			fn   func([]byte, cty.Type) (cty.Value, error)
		}{{"legacy", connector.LegacyFromJSON}, {"current", connector.FromJSON}} {
			b.Run(c.name+"/"+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(c.json)))
				for b.Loop() {
					if _, err := impl.fn(c.json, c.ty); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkFromGo(b *testing.B) {
	for _, c := range realCases(b) {
		var v any
		if err := json.Unmarshal(c.json, &v); err != nil {
			b.Fatal(err)
		}
		for _, impl := range []struct {
			name string
			fn   func(any, cty.Type) (cty.Value, error)
		}{{"legacy", connector.LegacyFromGo}, {"current", connector.FromGo}} {
			b.Run(c.name+"/"+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := impl.fn(v, c.ty); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
