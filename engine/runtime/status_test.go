package runtime_test

import (
	"context"
	"sync"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// TestStatuses checks how executions end and what they record.
func TestStatuses(t *testing.T) {
	const flows = `
flow "filtered" {
  trigger "fake.event" {
    connection = connection.fake.main
    filter     = "user == 'wanted'"
  }
  card "a" {
    action     = fake.step
    connection = connection.fake.main
    id         = "a"
  }
}

flow "returns" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "a" {
    action     = fake.step
    connection = connection.fake.main
    id         = "a"
    value      = trigger.user
  }
  card "skipped" {
    action     = fake.step
    connection = connection.fake.main
    if         = "trigger.user == 'nobody'"
    id         = "skipped"
  }
  card "stop" {
    action = flow.return
    status = trigger.user == "u1" ? "succeeded" : "halted"
    reason = "done"
    result = { user = card.a.value, skipped = card.skipped == null }
  }
  card "never" {
    action     = fake.step
    connection = connection.fake.main
    id         = "never"
  }
}
`
	tests := []struct {
		name    string
		flow    string
		user    string
		status  store.Status
		output  any
		journal []entry
		calls   map[string]int
	}{
		{name: "a false filter runs nothing", flow: "filtered", user: "other", status: store.Filtered, journal: []entry{}, calls: map[string]int{}},
		{name: "a true filter runs the flow", flow: "filtered", user: "wanted", status: store.Succeeded,
			journal: []entry{{Card: "a", Attempt: 1, Status: store.EntryOK}}, calls: map[string]int{"a": 1}},
		{name: "flow.return ends the flow with its result", flow: "returns", user: "u1", status: store.Succeeded,
			output: map[string]any{"user": "u1", "skipped": true},
			journal: []entry{
				{Card: "a", Attempt: 1, Status: store.EntryOK},
				{Card: "skipped", Attempt: 1, Status: store.EntrySkipped},
				{Card: "stop", Attempt: 1, Status: store.EntryOK},
			},
			calls: map[string]int{"a": 1}},
		{name: "flow.return can halt", flow: "returns", user: "u2", status: store.Halted,
			output: map[string]any{"user": "u2", "skipped": true},
			journal: []entry{
				{Card: "a", Attempt: 1, Status: store.EntryOK},
				{Card: "skipped", Attempt: 1, Status: store.EntrySkipped},
				{Card: "stop", Attempt: 1, Status: store.EntryOK},
			},
			calls: map[string]int{"a": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, flows)
			res, ex := h.run(tt.flow, map[string]any{"user": tt.user})
			if ex.Status != tt.status {
				t.Fatalf("status %s (%v), want %s", ex.Status, res.Err, tt.status)
			}
			if diff := cmp.Diff(tt.output, jsonOf(t, ex.Output)); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.journal, entries(h.journal(ex.ID))); diff != "" {
				t.Errorf("journal (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.calls, h.fake.counts()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestForEachConcurrency runs instances at once up to the card's bound and
// collects their outputs by key.
func TestForEachConcurrency(t *testing.T) {
	h := newHarness(t, `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "each" {
    action      = fake.step
    connection  = connection.fake.main
    for_each    = trigger.items
    concurrency = 3
    id          = "each"
    value       = "${each.value}!"
  }
  card "after" {
    action     = fake.step
    connection = connection.fake.main
    id         = "after"
    value      = { for k, v in card.each : k => v.value }
  }
}
`)
	// The first three instances wait for each other: they only finish if
	// they run at once.
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	h.fake.on("each", func(ctx context.Context, n int, call *connector.Call) (cty.Value, error) {
		if n <= 3 {
			mu.Lock()
			arrived++
			if arrived == 3 {
				close(all)
			}
			mu.Unlock()
			select {
			case <-all:
			case <-ctx.Done():
				return cty.NilVal, ctx.Err()
			}
		}
		return echo(n, call), nil
	})
	res, ex := h.run("f", map[string]any{"user": "u", "items": []string{"a", "b", "c", "d", "e"}})
	if ex.Status != store.Succeeded {
		t.Fatalf("status %s: %v", ex.Status, res.Err)
	}
	want := map[string]any{"a": "a!", "b": "b!", "c": "c!", "d": "d!", "e": "e!"}
	if diff := cmp.Diff(want, stepValue(t, h, "after", 1)); diff != "" {
		t.Errorf("after's value (-want +got):\n%s", diff)
	}
}
