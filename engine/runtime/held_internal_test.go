package runtime

import (
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/trigger"
)

func TestHeldEvents(t *testing.T) {
	var h heldEvents
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	first := &trigger.Received{Payload: []byte(`{"password":"one"}`)}
	if !h.hold("import", "k1", first, now) {
		t.Fatal("hold of a new event refused")
	}
	// A retried delivery does not replace what the first one left.
	if h.hold("import", "k1", &trigger.Received{Payload: []byte(`{}`)}, now) {
		t.Error("a second hold of the same event was taken")
	}
	if got := h.take("other", "k1"); got != nil {
		t.Error("another flow's event took it")
	}
	if got := h.take("import", "k1"); got != first {
		t.Errorf("take = %v, want the first hold", got)
	}
	if got := h.take("import", "k1"); got != nil {
		t.Error("taken twice")
	}

	h.hold("import", "old", first, now)
	h.hold("import", "new", first, now.Add(heldFor+time.Second)) // expires the old one
	if h.take("import", "old") != nil || h.take("import", "new") == nil {
		t.Error("an event held longer than heldFor was kept, or a fresh one dropped")
	}

	big := &trigger.Received{Payload: make([]byte, heldMaxBytes/2+1)}
	h.hold("import", "a", big, now)
	h.hold("import", "b", big, now.Add(time.Second)) // over the cap: a goes
	if h.take("import", "a") != nil || h.take("import", "b") == nil || h.bytes != 0 {
		t.Errorf("byte cap: the oldest was not dropped, or bytes = %d after taking all", h.bytes)
	}
	h.hold("import", "c", first, now)
	h.release("import", "c")
	if h.take("import", "c") != nil {
		t.Error("released event still held")
	}

	// Left pending and never claimed here: dropped without another hold.
	h.hold("import", "d", first, now)
	h.sweep(now.Add(heldFor + time.Second))
	if len(h.m) != 0 || h.bytes != 0 {
		t.Errorf("sweep after heldFor kept %d events (%d bytes)", len(h.m), h.bytes)
	}
}
