package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/flowtest"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/zclconf/go-cty/cty"
)

// dryRunEvent reads the event file: a trigger value, or an Okta event hook
// delivery whose first accepted event becomes {"event": …}.
func dryRunEvent(path string, flow *plan.Flow) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--event: %w", err)
	}
	var envelope struct {
		Data struct {
			Events []json.RawMessage `json:"events"`
		} `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&envelope); err != nil {
		return nil, fmt.Errorf("--event %s is not JSON: %w", path, err)
	}
	if len(envelope.Data.Events) > 0 && flow.Trigger != nil {
		cfg, _ := flow.Trigger.Config.UnmarkDeep()
		for _, raw := range envelope.Data.Events {
			var head struct {
				UUID      string `json:"uuid"`
				EventType string `json:"eventType"`
			}
			_ = json.Unmarshal(raw, &head)
			ev := &connector.Event{ID: head.UUID, Type: head.EventType}
			if flow.Trigger.Spec.Accept == nil || flow.Trigger.Spec.Accept(cfg, ev) {
				payload, err := json.Marshal(map[string]json.RawMessage{"event": raw})
				if err != nil {
					return nil, err
				}
				if err := checkPushed(payload, head.EventType, flow); err != nil {
					return nil, fmt.Errorf("--event %s: %w", path, err)
				}
				return payload, nil
			}
		}
		return nil, fmt.Errorf("--event %s: no event in the delivery matches the trigger of %s", path, flow.Name)
	}
	if flow.Trigger != nil {
		if err := checkEvent(b, flow.Trigger.Spec.Output, flow.Trigger.Type); err != nil {
			return nil, fmt.Errorf("--event %s does not fit the %s trigger of %s: %w", path, flow.Trigger.Type, flow.Name, err)
		}
		v, err := connector.FromJSON(b, flow.Trigger.Spec.Output)
		if err != nil {
			return nil, fmt.Errorf("--event %s: %w", path, err)
		}
		ok, typ := flow.Trigger.Spec.AcceptsValue(flow.Trigger.Config, v)
		if !ok {
			return nil, fmt.Errorf("--event %s is an event of type %q, which the %s trigger of %s does not list: cardflow run would not start the flow for it",
				path, typ, flow.Trigger.Type, flow.Name)
		}
		if err := checkPushed(b, typ, flow); err != nil {
			return nil, fmt.Errorf("--event %s: %w", path, err)
		}
	}
	return b, nil
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
