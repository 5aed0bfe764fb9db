package core

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/zclconf/go-cty/cty"
)

// Flow is the flow connector: helper flows and early return.
func Flow() *connector.Connector {
	return &connector.Connector{
		Name: "flow",
		Doc:  "Helper flows (flow.call, trigger \"flow.called\"), stopping a flow early (flow.return) and waiting (flow.wait).",
		// A helper flow runs in the same engine, its cards judged one by one.
		InEngine: true,
		Actions: []*connector.Action{
			{
				Name: "call",
				Doc: "Runs a helper flow (one whose trigger is flow.called) with an input. Synchronous by default: the output is { result } " +
					"with the helper's flow.return result. With async = true it only enqueues the helper; result is null.",
				Input: connector.Schema{
					{Name: "flow", Type: cty.String, Required: true, Doc: "The helper flow: flow.<name>."},
					{Name: "input", Type: cty.DynamicPseudoType, Doc: "The helper's trigger.input."},
					{Name: "async", Type: cty.Bool, Default: cty.False,
						Doc: "true: enqueue the helper and go on. Its input is stored with the helper's event, so an input " +
							"holding a secret (a sensitive variable, a connection's secret, a sensitive trigger field) fails the card: " +
							"call synchronously, or let the helper read the secret itself."},
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
					{Name: "result", Type: cty.DynamicPseudoType,
						Doc: "The flow's result: the result of the flow.call that ran it, and the answer of an endpoint flow with reply = \"result\" or \"raw\". None by default."},
					{Name: "status", Type: cty.String, Default: cty.StringVal("succeeded"), Check: checkStopStatus,
						Doc: "How the execution ends: \"succeeded\" or \"halted\" (stopped on purpose, as Okta Workflows' Continue If). Any other value is an error."},
					{Name: "reason", Type: cty.String, Default: cty.StringVal(""),
						Doc: "Why the flow stopped, for the history: it is journaled with the card's output (cardflow show)."},
				},
				Output: cty.EmptyObject,
				Effect: connector.Pure,
				Result: "result",
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
					{Name: "message", Type: cty.String, Required: true,
						Doc: "The error: the card fails with \"flow.fail: <message>\", and is not retried."},
				},
				Output: cty.EmptyObject,
				Effect: connector.Pure,
				Do: func(_ context.Context, call *connector.Call) (cty.Value, error) {
					return cty.NilVal, &connector.Error{Kind: connector.Other, Op: "flow.fail", Message: call.Input.String("message")}
				},
			},
			{
				Name: "wait",
				Doc: "Waits before the next card: for a duration (for = \"30s\", \"72h\", \"14d\") or until a time (until = an RFC 3339 " +
					"timestamp such as \"2026-12-31T17:00:00Z\", for example a contractor's end date), as Okta Workflows' Wait For card. " +
					"Give exactly one of the two. A wait longer than a second does not hold a worker: the execution is parked in the " +
					"store as waiting, with its wake-up time, and resumes when it is due, on any replica and after restarts. " +
					"A time in the past does not wait. The output's until is the time it waited until.",
				Input: connector.Schema{
					{Name: "for", Type: cty.String, Check: checkWaitFor, Doc: "How long to wait: \"30s\", \"15m\", \"72h\", \"14d\"."},
					{Name: "until", Type: cty.String, Check: checkWaitUntil, Doc: "When to go on: an RFC 3339 timestamp with a zone, e.g. \"2026-12-31T17:00:00Z\"."},
				},
				Output: cty.Object(map[string]cty.Type{"until": cty.String}),
				// After a crash it runs again with the same result: the
				// time it waits until is in the journal from when it parked.
				Effect: connector.Pure,
				Do:     wait,
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

// wait is flow.wait: it asks the engine to wait, and once woken returns
// the time it waited until.
func wait(_ context.Context, call *connector.Call) (cty.Value, error) {
	if !call.Woke.IsZero() {
		return cty.ObjectVal(map[string]cty.Value{"until": cty.StringVal(call.Woke.UTC().Format(time.RFC3339Nano))}), nil
	}
	forArg, untilArg := call.Input.String("for"), call.Input.String("until")
	switch {
	case forArg != "" && untilArg != "":
		return cty.NilVal, connector.Errorf(connector.Invalid, "give for or until, not both")
	case forArg != "":
		d, err := parseWaitFor(forArg)
		if err != nil {
			return cty.NilVal, connector.Errorf(connector.Invalid, "for: %v", err)
		}
		return cty.NilVal, &connector.Wait{For: d}
	case untilArg != "":
		t, err := parseWaitUntil(untilArg)
		if err != nil {
			return cty.NilVal, connector.Errorf(connector.Invalid, "until: %v", err)
		}
		return cty.NilVal, &connector.Wait{Until: t}
	}
	return cty.NilVal, connector.Errorf(connector.Invalid, "give for (a duration) or until (a timestamp)")
}

// parseWaitFor parses a positive Go duration, or a whole number of days
// ("14d"), which time.ParseDuration lacks and waits need.
func parseWaitFor(s string) (time.Duration, error) {
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok && days != "" && strings.Trim(days, "0123456789") == "" {
		n, perr := strconv.Atoi(days)
		d, err = time.Duration(n)*24*time.Hour, perr
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration such as \"30s\", \"15m\", \"72h\" or \"14d\"", s)
	}
	return d, nil
}

// parseWaitUntil parses an RFC 3339 timestamp (with its zone).
func parseWaitUntil(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp such as \"2026-12-31T17:00:00Z\"", s)
	}
	return t, nil
}

func checkWaitFor(v cty.Value) error {
	_, err := parseWaitFor(v.AsString())
	return err
}

func checkWaitUntil(v cty.Value) error {
	_, err := parseWaitUntil(v.AsString())
	return err
}
