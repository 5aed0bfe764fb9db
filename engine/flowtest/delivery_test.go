package flowtest_test

import (
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/flowtest"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// TestSortDelivery: of a delivery's events, those of a type the trigger
// does not list and repeats of an earlier event's id start no execution,
// each with its reason; the others do, in order. A trigger without Accept
// takes every type, and still one execution per id.
func TestSortDelivery(t *testing.T) {
	listsX := &connector.Trigger{Accept: func(cfg cty.Value, ev *connector.Event) bool {
		return ev.Type == "x" && cfg.GetAttr("on").True()
	}}
	flow := func(spec *connector.Trigger) *plan.Flow {
		return &plan.Flow{Name: "welcome", Trigger: &plan.Trigger{Spec: spec,
			Config: cty.ObjectVal(map[string]cty.Value{"on": cty.True.Mark("sensitive")})}}
	}
	ev := func(id, typ string) connector.Event {
		return connector.Event{ID: id, Type: typ, Payload: []byte(`{"id":"` + id + `"}`)}
	}
	type row struct{ ID, Type, Skipped string }
	rows := func(d flowtest.Delivery) []row {
		var out []row
		for _, e := range d {
			out = append(out, row{e.ID, e.Type, e.Skipped})
		}
		return out
	}
	tests := []struct {
		name      string
		spec      *connector.Trigger
		events    []connector.Event
		want      []row
		taken     []string
		noneTaken string
	}{
		{"types and repeats", listsX,
			[]connector.Event{ev("1", "x"), ev("2", "y"), ev("1", "x"), ev("3", "x"), ev("2", "x")},
			[]row{
				{"1", "x", ""},
				{"2", "y", "the trigger of welcome does not list type y"},
				{"1", "x", "it repeats event 1 (uuid 1), which starts the one execution"},
				{"3", "x", ""},
				// The unlisted event 2 started nothing: this one is no repeat.
				{"2", "x", ""},
			},
			[]string{"1", "3", "2"}, "events of type x, y only"},
		{"no type listed", listsX, []connector.Event{ev("1", "z"), ev("2", "y"), ev("3", "z")},
			[]row{
				{"1", "z", "the trigger of welcome does not list type z"},
				{"2", "y", "the trigger of welcome does not list type y"},
				{"3", "z", "the trigger of welcome does not list type z"},
			}, nil, "events of type y, z only"},
		{"every type", &connector.Trigger{}, []connector.Event{ev("1", "z"), ev("1", "y")},
			[]row{{"1", "z", ""}, {"1", "y", "it repeats event 1 (uuid 1), which starts the one execution"}},
			[]string{"1"}, "events of type y, z only"},
		{"no events", listsX, nil, nil, nil, "no events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := flowtest.SortDelivery(flow(tt.spec), tt.events)
			if diff := cmp.Diff(tt.want, rows(d)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			var taken []string
			for _, e := range d.Taken() {
				if string(e.Payload) != `{"id":"`+e.ID+`"}` {
					t.Errorf("event %s lost its payload: %s", e.ID, e.Payload)
				}
				taken = append(taken, e.ID)
			}
			if diff := cmp.Diff(tt.taken, taken); diff != "" {
				t.Errorf("taken (-want +got):\n%s", diff)
			}
			if got := d.NoneTaken(); got != tt.noneTaken {
				t.Errorf("NoneTaken() = %q, want %q", got, tt.noneTaken)
			}
		})
	}
}
