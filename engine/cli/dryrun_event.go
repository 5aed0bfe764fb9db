package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/flowtest"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/zclconf/go-cty/cty"
)

// dryRunInput is what --event holds: a trigger value, run once, or a
// delivery, each of whose events the flow's trigger takes runs in order.
type dryRunInput struct {
	// delivery is true for a delivery the trigger's connector decoded
	// (an Okta event hook body).
	delivery bool
	// events are the delivery's events in order, skipped ones included;
	// a trigger value is one event without an id.
	events []dryRunEvent
}

// dryRunEvent is one event of --event.
type dryRunEvent struct {
	engine.DryRunEvent
	// Skipped says why cardflow run would start no execution for the
	// event; "" when it would.
	Skipped string
}

// taken are the events that run, in order.
func (in dryRunInput) taken() []engine.DryRunEvent {
	var out []engine.DryRunEvent
	for _, ev := range in.events {
		if ev.Skipped == "" {
			out = append(out, ev.DryRunEvent)
		}
	}
	return out
}

// readDryRunEvent reads the event file: a trigger value, or a delivery the
// trigger's connector decodes as cardflow run and cardflow test do.
func readDryRunEvent(path string, flow *plan.Flow) (dryRunInput, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return dryRunInput{}, fmt.Errorf("--event: %w", err)
	}
	if !json.Valid(b) {
		var v any
		err := json.Unmarshal(b, &v)
		return dryRunInput{}, fmt.Errorf("--event %s is not JSON: %w", path, err)
	}
	if flow.Trigger == nil {
		return dryRunInput{events: []dryRunEvent{{DryRunEvent: engine.DryRunEvent{Payload: b}}}}, nil
	}
	events, isDelivery, err := flowtest.DecodeDelivery(flow, b)
	if err != nil {
		return dryRunInput{}, fmt.Errorf("--event %s is not a delivery the %s trigger can take: %w (cardflow run refuses it with 400 Bad Request)",
			path, flow.Trigger.Type, err)
	}
	if isDelivery {
		return deliveryEvents(path, flow, events)
	}
	if err := checkEvent(b, flow.Trigger.Spec.Output, flow.Trigger.Type); err != nil {
		return dryRunInput{}, fmt.Errorf("--event %s does not fit the %s trigger of %s: %w", path, flow.Trigger.Type, flow.Name, err)
	}
	v, err := connector.FromJSON(b, flow.Trigger.Spec.Output)
	if err != nil {
		return dryRunInput{}, fmt.Errorf("--event %s: %w", path, err)
	}
	ok, typ := flow.Trigger.Spec.AcceptsValue(flow.Trigger.Config, v)
	if !ok {
		return dryRunInput{}, fmt.Errorf("--event %s is an event of type %q, which the %s trigger of %s does not list: cardflow run would not start the flow for it",
			path, typ, flow.Trigger.Type, flow.Name)
	}
	if err := checkPushed(b, typ, flow); err != nil {
		return dryRunInput{}, fmt.Errorf("--event %s: %w", path, err)
	}
	return dryRunInput{events: []dryRunEvent{{DryRunEvent: engine.DryRunEvent{Payload: b}}}}, nil
}

// deliveryEvents sorts the events of a delivery as cardflow run does
// (flowtest.SortDelivery): every event is checked first (one it would
// refuse fails the whole delivery); those of a type the trigger does not
// list, and repeats of an event id, start no execution.
func deliveryEvents(path string, flow *plan.Flow, events []connector.Event) (dryRunInput, error) {
	for i := range events {
		ev := &events[i]
		if err := checkPushed(ev.Payload, ev.Type, flow); err != nil {
			return dryRunInput{}, fmt.Errorf("--event %s: event %d of %d (%s): %w", path, i+1, len(events), ev.ID, err)
		}
	}
	d := flowtest.SortDelivery(flow, events)
	if len(d.Taken()) == 0 {
		why := "the delivery has no events"
		if len(d) > 0 {
			why = fmt.Sprintf("it has %s, which the trigger's event_types does not list", d.NoneTaken())
		}
		return dryRunInput{}, fmt.Errorf("--event %s: no event in the delivery matches the trigger of %s: %s (cardflow run would start no execution for it)",
			path, flow.Name, why)
	}
	in := dryRunInput{delivery: true}
	for _, ev := range d {
		in.events = append(in.events, dryRunEvent{DryRunEvent: engine.DryRunEvent{ID: ev.ID, Type: ev.Type, Payload: ev.Payload}, Skipped: ev.Skipped})
	}
	return in, nil
}

// checkPushed checks the trigger value of a pushed event as cardflow run
// checks every event before it acknowledges it: an event that lacks a
// field every event of the trigger carries (an Okta event's target) is
// refused there, and never starts the flow.
func checkPushed(payload []byte, typ string, flow *plan.Flow) error {
	if flow.Trigger.Spec.Mode != connector.Push {
		return nil
	}
	err := connector.CheckEvent(&connector.Event{ID: "dry-run", Type: typ, Payload: payload}, flow.Trigger.Spec)
	if err == nil {
		return nil
	}
	msg := err.Error()
	if ce := (*connector.Error)(nil); errors.As(err, &ce) {
		msg = ce.Message
	}
	return fmt.Errorf("%s (cardflow run refuses such an event with 400 Bad Request)", msg)
}

// checkEvent checks a trigger value against the trigger's output type as
// cardflow test checks a run's trigger, and wants at least one of the
// type's top-level attributes: an event of another system fits no trigger.
func checkEvent(b []byte, ty cty.Type, trigger string) error {
	v, err := connector.FromJSON(b, cty.DynamicPseudoType)
	if err != nil {
		return err
	}
	if !ty.IsObjectType() {
		return nil
	}
	names := connector.SortedKeys(ty.AttributeTypes())
	has := fmt.Sprintf("its value has the attributes %s", strings.Join(names, ", "))
	if problems := flowtest.CheckTriggerEvent(v, ty, trigger); len(problems) > 0 {
		return fmt.Errorf("%s (%s)", strings.Join(problems, " "), has)
	}
	vt := v.Type()
	for _, n := range names {
		if vt.IsObjectType() && vt.HasAttribute(n) && !v.GetAttr(n).IsNull() {
			return nil
		}
	}
	return fmt.Errorf("the event has none of the trigger value's attributes: %s", has)
}
