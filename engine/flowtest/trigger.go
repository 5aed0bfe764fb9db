package flowtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// triggerPayloads evaluates the run's trigger (or reads trigger_file) into
// the payloads of the executions one delivery starts, in order, and the
// trigger value asserts see: that of the last. A trigger value is one
// payload; a delivery the trigger's connector decodes (an Okta event hook
// body) is one per event the trigger accepts, as cardflow run starts them.
func triggerPayloads(gen *plan.Generation, flow *plan.Flow, file string, tr *config.TestRun) ([][]byte, cty.Value, hcl.Diagnostics) {
	ty := cty.DynamicPseudoType
	if flow.Trigger != nil {
		ty = flow.Trigger.Spec.Output
	}
	var vals []cty.Value
	var subject hcl.Range
	switch {
	case tr.Trigger != nil:
		val, diags := tr.Trigger.Value(staticContext(gen))
		if diags.HasErrors() {
			return nil, cty.NilVal, diags
		}
		vals, subject = []cty.Value{val}, tr.Trigger.Range()
	case tr.TriggerFile != nil:
		tf, diags := readTriggerFile(flow, file, tr.TriggerFile)
		if diags.HasErrors() {
			return nil, cty.NilVal, diags
		}
		vals, subject = tf.values, tr.TriggerFile.Range()
	default:
		return [][]byte{nil}, cty.NullVal(ty), nil
	}
	var payloads [][]byte
	var last cty.Value
	for _, v := range vals {
		tv, err := conformValue(v, ty)
		if err != nil {
			return nil, cty.NilVal, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Invalid trigger event",
				Detail:   fmt.Sprintf("The event does not fit the %s trigger's type: %v.", flow.Trigger.Type, err),
				Subject:  subject.Ptr(),
			}}
		}
		g, _ := connector.ToGo(tv)
		b, err := json.Marshal(g)
		if err != nil {
			return nil, cty.NilVal, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid trigger event", Detail: err.Error(), Subject: subject.Ptr()}}
		}
		payloads, last = append(payloads, b), tv
	}
	return payloads, last, nil
}

// triggerFile is what a run's trigger_file holds: one trigger value, or
// the trigger values of a delivery's accepted events.
type triggerFile struct {
	values []cty.Value
	// delivery is true for a delivery: its values are the payloads the
	// connector made, not the author's writing, so attributes the
	// trigger's type lacks (a real event has many) are dropped as in
	// production rather than reported.
	delivery bool
}

// readTriggerFile reads the trigger_file of a run in file, for flow.
func readTriggerFile(flow *plan.Flow, file string, expr hcl.Expression) (triggerFile, hcl.Diagnostics) {
	path, diags := evalPath(expr, file, "trigger_file")
	if diags.HasErrors() {
		return triggerFile{}, diags
	}
	subject := expr.Range().Ptr()
	b, err := os.ReadFile(path)
	if err != nil {
		return triggerFile{}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read trigger file", Detail: err.Error(), Subject: subject}}
	}
	events, isDelivery, err := DecodeDelivery(flow, b)
	if err != nil {
		return triggerFile{}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid delivery in trigger file",
			Detail: fmt.Sprintf("%s is not a delivery the %s trigger can take: %v.", path, flow.Trigger.Type, err), Subject: subject}}
	}
	if isDelivery {
		return acceptedEvents(flow, path, events, subject)
	}
	val, err := connector.FromJSON(b, cty.DynamicPseudoType)
	if err != nil {
		return triggerFile{}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid trigger file", Detail: fmt.Sprintf("%s is not JSON: %v", path, err), Subject: subject}}
	}
	return triggerFile{values: []cty.Value{val}}, nil
}

// DecodeDelivery decodes b with the delivery decoder of flow's trigger, as
// cardflow run does: isDelivery is false for a trigger value, and for a
// trigger whose connector takes no deliveries. The error of a delivery
// the connector refuses is its words, without the HTTP status it answers.
func DecodeDelivery(flow *plan.Flow, b []byte) (events []connector.Event, isDelivery bool, err error) {
	if flow.Trigger == nil || flow.Trigger.Spec.DecodeDelivery == nil {
		return nil, false, nil
	}
	events, isDelivery, err = flow.Trigger.Spec.DecodeDelivery(b)
	if ce := (*connector.Error)(nil); errors.As(err, &ce) && ce.Message != "" {
		err = errors.New(ce.Message)
	}
	return events, isDelivery, err
}

// Delivery is the events of one delivery, in order, each with whether
// cardflow run starts an execution for it.
type Delivery []DeliveryEvent

// DeliveryEvent is one event of a delivery.
type DeliveryEvent struct {
	connector.Event
	// Skipped says why cardflow run starts no execution for the event; ""
	// when it starts one.
	Skipped string
}

// SortDelivery sorts the events of a delivery to flow's trigger as cardflow
// run does: an event of a type the trigger does not list (its
// event_types) starts no execution, nor does one that repeats an earlier
// event's id (run keeps one execution per event id). It checks no event:
// run refuses a whole delivery with one it cannot take, whichever events
// start executions.
func SortDelivery(flow *plan.Flow, events []connector.Event) Delivery {
	cfg, _ := flow.Trigger.Config.UnmarkDeep()
	accept := flow.Trigger.Spec.Accept
	d := make(Delivery, len(events))
	first := map[string]int{}
	for i, ev := range events {
		d[i].Event = ev
		if accept != nil && !accept(cfg, &events[i]) {
			d[i].Skipped = fmt.Sprintf("the trigger of %s does not list type %s", flow.Name, ev.Type)
		} else if j, seen := first[ev.ID]; seen {
			d[i].Skipped = fmt.Sprintf("it repeats event %d (uuid %s), which starts the one execution", j+1, ev.ID)
		} else {
			first[ev.ID] = i
		}
	}
	return d
}

// Taken returns the events that start an execution, in order.
func (d Delivery) Taken() []connector.Event {
	var out []connector.Event
	for _, ev := range d {
		if ev.Skipped == "" {
			out = append(out, ev.Event)
		}
	}
	return out
}

// NoneTaken says what the delivery has when it starts no execution: "no
// events", or "events of type T only" (its types, sorted), which the
// trigger does not list.
func (d Delivery) NoneTaken() string {
	if len(d) == 0 {
		return "no events"
	}
	types := map[string]bool{}
	for _, ev := range d {
		types[ev.Type] = true
	}
	return fmt.Sprintf("events of type %s only", strings.Join(connector.SortedKeys(types), ", "))
}

// acceptedEvents keeps the events of a delivery that start an execution
// (SortDelivery), as cardflow run does: the others start none.
func acceptedEvents(flow *plan.Flow, path string, events []connector.Event, subject *hcl.Range) (triggerFile, hcl.Diagnostics) {
	d := SortDelivery(flow, events)
	tf := triggerFile{delivery: true}
	for _, ev := range d.Taken() {
		v, err := connector.FromJSON(ev.Payload, cty.DynamicPseudoType)
		if err != nil {
			return triggerFile{}, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid delivery in trigger file", Detail: fmt.Sprintf("%s: event %s: %v.", path, ev.ID, err), Subject: subject}}
		}
		tf.values = append(tf.values, v)
	}
	if len(tf.values) == 0 {
		return triggerFile{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No event of the delivery starts the flow",
			Detail: fmt.Sprintf("The delivery in %s has %s, and the %s trigger of flow %q takes none: cardflow run would start no execution for it. "+
				"Use a delivery with an event of a type the trigger's event_types lists.",
				path, d.NoneTaken(), flow.Trigger.Type, flow.Name),
			Subject: subject,
		}}
	}
	return tf, nil
}
