package core

import (
	"context"
	"fmt"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/zclconf/go-cty/cty"
)

// Flow is the flow connector: helper flows and early return.
func Flow() *connector.Connector {
	return &connector.Connector{
		Name: "flow",
		Doc:  "Helper flows (flow.call, trigger \"flow.called\") and stopping a flow early (flow.return).",
		Actions: []*connector.Action{
			{
				Name: "call",
				Doc: "Runs a helper flow (one whose trigger is flow.called) with an input. Synchronous by default: the output is { result } " +
					"with the helper's flow.return result. With async = true it only enqueues the helper; result is null.",
				Input: connector.Schema{
					{Name: "flow", Type: cty.String, Required: true, Doc: "The helper flow: flow.<name>."},
					{Name: "input", Type: cty.DynamicPseudoType, Doc: "The helper's trigger.input."},
					{Name: "async", Type: cty.Bool, Default: cty.False},
				},
				Output: cty.Object(map[string]cty.Type{"result": cty.DynamicPseudoType}),
				Effect: connector.Write,
				Do: func(ctx context.Context, call *connector.Call) (cty.Value, error) {
					if call.Host == nil {
						return cty.NilVal, connector.Errorf(connector.Other, "helper flows are not available here")
					}
					res, err := call.Host.CallFlow(ctx, call.Input.String("flow"), call.Input.Get("input"), call.Input.Bool("async", false))
					if err != nil {
						return cty.NilVal, err
					}
					return cty.ObjectVal(map[string]cty.Value{"result": res}), nil
				},
			},
			{
				Name: "return",
				Doc: "Stops the flow here with a result (the output of a flow.call that ran it). status is \"succeeded\" (default) " +
					"or \"halted\" (stopped on purpose, for example an event the flow ignores).",
				Input: connector.Schema{
					{Name: "result", Type: cty.DynamicPseudoType},
					{Name: "status", Type: cty.String, Default: cty.StringVal("succeeded"), Check: checkStopStatus},
					{Name: "reason", Type: cty.String, Default: cty.StringVal("")},
				},
				Output: cty.EmptyObject,
				Effect: connector.Pure,
				Do: func(_ context.Context, call *connector.Call) (cty.Value, error) {
					status := call.Input.String("status")
					if status == "" {
						status = "succeeded"
					}
					// The static check sees literals only; a computed status
					// is checked here.
					if err := checkStopStatus(cty.StringVal(status)); err != nil {
						return cty.NilVal, connector.Errorf(connector.Invalid, "%v", err)
					}
					res, err := connector.ToGo(call.Input.Get("result"))
					if err != nil {
						return cty.NilVal, connector.Errorf(connector.Invalid, "result: %v", err)
					}
					return cty.NilVal, &connector.Stop{
						Status: status,
						Reason: call.Input.String("reason"),
						Result: res,
					}
				},
			},
			{
				Name: "fail",
				Doc: "Fails the card with message, so the execution fails (or its on_error policy applies): Okta Workflows' Throw Error. " +
					"A caller's flow.call fails with it too.",
				Input: connector.Schema{
					{Name: "message", Type: cty.String, Required: true},
				},
				Output: cty.EmptyObject,
				Effect: connector.Pure,
				Do: func(_ context.Context, call *connector.Call) (cty.Value, error) {
					return cty.NilVal, &connector.Error{Kind: connector.Other, Op: "flow.fail", Message: call.Input.String("message")}
				},
			},
		},
		Triggers: []*connector.Trigger{{
			Name:   "called",
			Doc:    "The flow is a helper: it runs when flow.call (or cardflow replay) calls it. trigger.input is what the caller passed.",
			Mode:   connector.Called,
			Output: cty.Object(map[string]cty.Type{"input": cty.DynamicPseudoType, "caller": cty.Object(map[string]cty.Type{"flow": cty.String, "execution_id": cty.String})}),
		}},
	}
}

func checkStopStatus(v cty.Value) error {
	switch v.AsString() {
	case "succeeded", "halted":
		return nil
	}
	return fmt.Errorf("status is \"succeeded\" or \"halted\", not %q", v.AsString())
}
