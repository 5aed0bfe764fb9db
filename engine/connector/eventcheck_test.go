package connector_test

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

func TestCheckEvent(t *testing.T) {
	actor := cty.Object(map[string]cty.Type{"id": cty.String, "type": cty.String})
	trig := &connector.Trigger{
		Output: cty.Object(map[string]cty.Type{
			"event": cty.Object(map[string]cty.Type{
				"uuid": cty.String, "target": cty.List(actor), "n": cty.Number,
				"data": cty.Map(cty.String), "any": cty.DynamicPseudoType,
			}),
		}),
		Required: []string{"event.uuid", "event.target"},
		IDField:  "event.uuid",
	}
	const ok = `"uuid":"u","target":[{"id":"1","type":"User"}]`
	cases := []struct {
		name, id, payload, want string
	}{
		{"valid", "u", `{"event":{` + ok + `}}`, ""},
		{"valid with extra fields, nulls and any", "u", `{"event":{` + ok + `,"n":1,"data":{"a":"b"},"any":[1,{"x":null}],"extra":{"deep":[true]}},"more":null}`, ""},
		{"empty target list", "u", `{"event":{"uuid":"u","target":[]}}`, ""},
		{"not an object", "u", `[1]`, "trigger: the payload must be a JSON object"},
		{"trailing garbage", "u", `{"event":{` + ok + `}} x`, "not valid JSON"},
		{"missing required", "u", `{"event":{"uuid":"u"}}`, "trigger.event.target is missing"},
		{"null required", "u", `{"event":{"uuid":"u","target":null}}`, "trigger.event.target is missing"},
		{"nested required elsewhere does not count", "u", `{"other":{"event":{"target":[]}},"event":{"uuid":"u"}}`, "trigger.event.target is missing"},
		{"string for list", "u", `{"event":{"uuid":"u","target":"x"}}`, "trigger.event.target must be a list, not a string"},
		{"object for list", "u", `{"event":{"uuid":"u","target":{}}}`, "trigger.event.target must be a list, not an object"},
		{"string element for object", "u", `{"event":{"uuid":"u","target":["x"]}}`, "trigger.event.target[0] must be an object, not a string"},
		{"list for string", "u", `{"event":{` + ok + `,"data":{"a":[1]}}}`, "trigger.event.data.a must be a string, not a list"},
		{"object for number", "u", `{"event":{` + ok + `,"n":{}}}`, "trigger.event.n must be a number, not an object"},
		{"long id", strings.Repeat("u", 300), `{"event":{` + ok + `}}`, "event.uuid is 300 bytes long; at most 256"},
		{"control character in id", "u\n1", `{"event":{` + ok + `}}`, "event.uuid holds control characters"},
		{"invalid UTF-8", "u", `{"event":{` + ok + `,"any":"a` + "\xff" + `"}}`, "trigger.event.any is not valid UTF-8"},
		{"long string", "u", `{"event":{` + ok + `,"extra":"` + strings.Repeat("x", connector.MaxEventString+1) + `"}}`, "trigger.event.extra is 65537 bytes long"},
		{"too deep", "u", `{"event":{` + ok + `,"any":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}}`, "nested deeper than 64 levels"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := connector.CheckEvent(&connector.Event{ID: c.id, Type: "t", Payload: []byte(c.payload)}, trig)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("CheckEvent: %v, want nil", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("CheckEvent: %v, want an error containing %q", err, c.want)
			case err != nil && (connector.KindOf(err) != connector.Invalid || !strings.Contains(err.Error(), "HTTP 400")):
				t.Errorf("CheckEvent: %v is not an Invalid error with status 400", err)
			}
		})
	}
}
