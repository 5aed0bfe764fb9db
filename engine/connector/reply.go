package connector

import (
	"net/http"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// Reply is how the caller of an endpoint flow is answered with the flow's
// result (Trigger.Reply). The engine stores the event as it does for any
// push, waits up to Timeout for the execution to end, and answers:
//
//   - succeeded or halted: Render of the flow's result (its flow.return
//     result as JSON with secrets redacted, nil when it returned none);
//     an execution whose trigger filter was false renders nil;
//   - failed: 500 with the execution id, never the error, which may name
//     internals;
//   - still running at Timeout: 504 with the execution id; the execution
//     goes on running, durably, to its end.
//
// The connector owns what a result means on the wire (Render); the
// engine owns the waiting and the answers of failures.
type Reply struct {
	Timeout time.Duration
	// Render makes the answer of a finished execution's result. Its error
	// (a result that does not describe an answer) is logged, and the
	// caller is answered 500.
	Render func(result []byte) (Response, error)
	// Check, when set, looks at a flow's result as validate knows it —
	// its type, and its values where they are known before the flow runs
	// — for what Render would refuse whatever the execution (a misspelt
	// attribute, a status out of range). The engine gives it the argument
	// of each card whose action names one in Action.Result. Finding.Key
	// names the result's attribute the finding is about; Arg is not used.
	// Unlike Lint's, these findings are errors: the caller would be
	// answered 500 each time the card returns that result.
	Check func(result cty.Value) []Finding
}

// Response is an HTTP answer a connector makes for the engine to send.
type Response struct {
	// Status is the answer's status; 0 means 200 OK.
	Status int
	// Header are the answer's headers, Body its body; both may be nil.
	Header http.Header
	Body   []byte
}
