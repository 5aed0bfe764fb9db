package okta

import (
	"bytes"
	"testing"
)

// Each event's payload is built in one allocation of exactly its size:
// nothing is copied to grow it, and no spare capacity is stored with it.
func TestPayloadsAreExactSize(t *testing.T) {
	bodies := withFixtures(t, map[string][]byte{})
	for _, d := range deliveries {
		bodies[d] = []byte(d)
	}
	for name, body := range bodies {
		events, err := DecodeEventHook(body)
		if err != nil {
			continue
		}
		for i, ev := range events {
			if len(ev.Payload) != cap(ev.Payload) {
				t.Errorf("%.80s: event %d: payload of %d bytes in %d", name, i, len(ev.Payload), cap(ev.Payload))
			}
		}
	}
}

// deliveryFields are envelope fields for appendDeliveryJSON: ones it
// writes itself and ones it leaves to json.Marshal.
var deliveryFields = []string{"", "e1", "2026-01-01T00:00:00.000Z", "https://acme.okta.com/api/v1/eventHooks/who",
	`a"b`, `a\b`, "<b>", "a&b", "tab\t", "\x7f", "é", "\u2028", "\xff", "\x00", " ", "~"}

func checkDeliveryJSON(t *testing.T, id, source, at string) {
	t.Helper()
	want, werr := deliveryJSON(id, source, at)
	got, gerr := appendDeliveryJSON([]byte("prefix"), []byte(id), []byte(source), []byte(at))
	if (werr == nil) != (gerr == nil) || !bytes.Equal(got, append([]byte("prefix"), want...)) {
		t.Fatalf("appendDeliveryJSON(%q, %q, %q) = %s, %v; want prefix%s, %v", id, source, at, got, gerr, want, werr)
	}
}

func TestAppendDeliveryJSON(t *testing.T) {
	for _, a := range deliveryFields {
		for _, b := range deliveryFields {
			checkDeliveryJSON(t, a, b, "2026-01-01T00:00:00Z")
			checkDeliveryJSON(t, "e", a, b)
		}
	}
}

func FuzzAppendDeliveryJSON(f *testing.F) {
	for _, a := range deliveryFields {
		f.Add(a, "s", "t")
	}
	f.Fuzz(func(t *testing.T, id, source, at string) {
		checkDeliveryJSON(t, id, source, at)
	})
}
