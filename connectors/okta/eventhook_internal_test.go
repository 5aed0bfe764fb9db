package okta

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// deliveries are event hook bodies for the differential tests: Okta's
// shape, and the corners where encoding/json and a hand-written reader
// could part (case, folding, repeats, nulls, escapes, types, trailing data).
var deliveries = []string{
	`{"eventType":"com.okta.event_hook","eventId":"e1","eventTime":"2026-01-01T00:00:00Z","source":"s",` +
		`"data":{"events":[{"uuid":"u1","eventType":"user.lifecycle.create","published":"2026-01-01T00:00:00.123Z","x":[1,{"y":null}]},` +
		` {"uuid":"u2","eventType":"a.b"} ]}}`,
	` {"eventType":"com.okta.event_hook","data":{"events":[]}} `,
	`{"eventType":"com.okta.event_hook","data":{"events":[ {"uuid":"u"}	]},"contentType":"application/json"}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u","published":"x"}]}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u","published":""}]}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":""}]}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"eventType":"x"}]}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[7]}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":["x"]}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":null}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":{}}}`,
	`{"eventType":"com.okta.event_hook","data":null}`,
	`{"eventType":"com.okta.event_hook","data":[]}`,
	`{"eventType":"com.okta.event_hook","data":{}}`,
	`{"eventType":"com.okta.event_hook"}`,
	`{"eventType":"user.lifecycle.create","data":{"events":[]}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u"}]}} {}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u"}]}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u",}]}}`,
	`[]`, `null`, `{}`, `"x"`, ``, `{"eventType":7}`,
	// Names encoding/json matches regardless of case or by folding.
	`{"EVENTTYPE":"com.okta.event_hook","Data":{"Events":[{"UUID":"u","EventType":"t"}]}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u"}]},"eventtype":"x"}`,
	"{\"eventType\":\"com.okta.event_hook\",\"data\":{\"events\":[{\"uuid\":\"u\"}]},\"\u017fource\":\"long s\"}",
	"{\"eventType\":\"com.okta.event_hook\",\"data\":{\"events\":[{\"uuid\":\"u\",\"eventType\":\"t\",\"\u212a\":1}]}}",
	`{"\u0065ventType":"com.okta.event_hook","data":{"events":[{"uu\u0069d":"u\u00e9"}]}}`,
	// Repeats and nulls.
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u1"}]},"data":{"events":[{"uuid":"u2"}]}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u1"}]},"data":{}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u1"}]},"data":null}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u1","uuid":"u2"}]}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u1","uuid":null}]}}`,
	`{"eventType":"com.okta.event_hook","eventId":null,"data":{"events":[{"uuid":"u1","eventType":null}]}}`,
	`{"eventType":"x","eventType":"com.okta.event_hook","data":{"events":[]}}`,
	// Types.
	`{"eventType":"com.okta.event_hook","eventId":5,"data":{"events":[]}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":5}]}}`,
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u","published":true}]}}`,
	// Strings that need unquoting, and ones encoding/json repairs.
	`{"eventType":"com.okta.event_hook","eventId":"a\"b<&>\u2028","data":{"events":[{"uuid":"\ud83d\ude00","eventType":"\ud800"}]}}`,
	"{\"eventType\":\"com.okta.event_hook\",\"source\":\"\xff\",\"data\":{\"events\":[{\"uuid\":\"\xc3(\"}]}}",
	// Targets the accessors pick from, in shapes the one pass takes apart
	// and ones it leaves to encoding/json.
	targetsDelivery(`[]`), targetsDelivery(`null`), targetsDelivery(`{}`), targetsDelivery(`"x"`),
	targetsDelivery(`[null,{"type":"User","id":"1"}]`), targetsDelivery(`[7]`), targetsDelivery(`[[]]`),
	targetsDelivery(`[{"id":"1","type":"User","alternateId":"a","displayName":"A","detailEntry":null},{"id":"2","type":"User"},{"type":"UserGroup","id":"g"},{"type":"AppInstance"}]`),
	targetsDelivery(`[{"type":"User"},{"type":"UserGroup","displayName":""}]`),
	targetsDelivery(`[{"id":5,"type":"User"}]`), targetsDelivery(`[{"id":"1","type":"User","id":"2"}]`),
	targetsDelivery(`[{"id":"1","type":"User","id":null}]`), targetsDelivery(`[{"ID":"1","Type":"User"}]`),
	targetsDelivery(`[{"id":"1","type":"User","displayName":"A \"B\" \u00e9"}]`),
	targetsDelivery(`[{"id":"1","type":"User","displayName":"<b>&amp;</b>"}]`),
	targetsDelivery(`[{"id":"1","type":"User","displayName":"Kari Nordmann Åse 😀"}]`),
	targetsDelivery("[{\"id\":\"1\",\"type\":\"User\",\"displayName\":\"a\u2028b\u2029\"}]"),
	targetsDelivery("[{\"id\":\"1\",\"type\":\"User\",\"displayName\":\"\xff\"}]"),
	targetsDelivery(`[{"id":"1","type":"Us\u0065r"}]`), targetsDelivery(`[{"id":"1","t\u0079pe":"User"}]`),
	targetsDelivery("[{\"id\":\"1\",\"type\":\"User\",\"\u212aind\":1}]"),
	targetsDelivery(`[{"id":"1","type":"User"},{"id":"2","type":"UserGroup"}`),
	strings.Repeat(`{"a":`, 1100) + `1` + strings.Repeat(`}`, 1100),
	`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u","deep":` + strings.Repeat("[", 1100) + strings.Repeat("]", 1100) + `}]}}`,
}

// targetsDelivery is a delivery of one event whose target is the JSON text
// target.
func targetsDelivery(target string) string {
	return `{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u","eventType":"group.user_membership.add",` +
		`"target":` + target + `}]}}`
}

// checkDelivery compares DecodeEventHook with decodeEnvelope, the
// encoding/json decoder that defines it.
func checkDelivery(t *testing.T, body []byte) {
	t.Helper()
	got, gerr := DecodeEventHook(body)
	want, werr := decodeEnvelope(body)
	if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
		t.Fatalf("DecodeEventHook(%.200q): error %v, want %v", body, gerr, werr)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("DecodeEventHook(%.200q) (-want +got):\n%s", body, diff)
	}
	if _, ok := splitDelivery(body); ok && werr != nil {
		t.Fatalf("splitDelivery accepted %.200q, which encoding/json rejects: %v", body, werr)
	}
}

func TestDecodeEventHookDifferential(t *testing.T) {
	for _, body := range deliveries {
		checkDelivery(t, []byte(body))
	}
	for _, name := range []string{"event-hook-user-created.json", "event-hook-batch-mixed.json"} {
		body, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		checkDelivery(t, body)
	}
}

// withFixtures adds the fixture deliveries of testdata to bodies, by file
// name, and returns bodies.
func withFixtures(t *testing.T, bodies map[string][]byte) map[string][]byte {
	t.Helper()
	for _, name := range []string{"event-hook-user-created.json", "event-hook-batch-mixed.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		bodies[name] = b
	}
	return bodies
}

// TestSplitDeliveryReadsOktasDeliveries checks that the one-pass reader
// takes the deliveries Okta sends, not only that it agrees when it does.
func TestSplitDeliveryReadsOktasDeliveries(t *testing.T) {
	bodies := withFixtures(t, map[string][]byte{"first of the table": []byte(deliveries[0]), "no events": []byte(deliveries[1])})
	for name, body := range bodies {
		events, ok := splitDelivery(body)
		if !ok {
			t.Errorf("%s: splitDelivery gave up", name)
			continue
		}
		want, err := decodeEnvelope(body)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, events); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func FuzzSplitDelivery(f *testing.F) {
	for _, body := range deliveries {
		if len(body) < 1000 {
			f.Add([]byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDelivery(t, body)
	})
}

// BenchmarkDecodeEnvelope is the encoding/json path, for comparison with
// BenchmarkDecodeEventHook.
func BenchmarkDecodeEnvelope(b *testing.B) {
	for _, name := range []string{"event-hook-user-created.json", "event-hook-batch-mixed.json"} {
		body, err := os.ReadFile("testdata/" + name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := decodeEnvelope(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
