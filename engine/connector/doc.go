// Package connector is the plugin SDK of cardflow: the only engine package a
// connector may import.
//
// A connector describes itself with a [Connector] value: the schema of its
// connection block, its actions and its triggers. The engine owns decoding,
// evaluation, retries and storage; a connector owns its schemas, its HTTP
// client and the mapping of remote failures to error kinds ([Error]).
//
// An action's Do receives a [Call]: the provisioned connection, the card's
// arguments as [Args] (one value per attribute of the action's Input
// schema, converted to its type, defaults applied; read them with Get or
// the typed getters), a [CallKey] that names the invocation across
// retries, crash recovery and replays, and a [Host] for function cards.
// The engine may reuse a Call for the next card once Do returns, so an
// action keeps the values it reads, never the Call.
//
// Every connector is built the same way, so that a new one has one model
// to copy:
//
//   - Actions are declared with [NewAction]: an [Action] (name, doc, Input
//     schema, Output type, [Effect]) and an [ActionFunc] that works on the
//     connection's own client type. Each action has a function
//     <name>Action in the file of its concept (okta/users.go,
//     servicenow/records.go), and New lists them. NewAction refuses a card
//     without that connection (kind Invalid), names every failure after
//     the action ([WithOp]: "okta.read_user: HTTP 404 …") and converts the
//     result to Output; an action returns what its client returned,
//     unchanged. (Only the built-in connectors of connectors/core, whose
//     actions need no connection, set Action.Do themselves.)
//   - Errors are mapped once, where the client talks to the service: every
//     failed request becomes an [*Error] whose [Kind] the connector
//     chooses ([HTTPKind] for a status, refined by the service's own error
//     codes; a transport failure Transient unless no retry can fix it;
//     RetryAt from Retry-After or a rate-limit reset). A flow mistake found
//     before any request is an *Error of kind Invalid. Any other error is
//     a bug of the connector, and NewAction gives it the kind Other. The
//     engine retries Transient and RateLimited failures and fails the card
//     on the rest, with the kind the connector chose.
//   - Open validates the connection block and builds the client without
//     network I/O. What it refuses is an *Error of kind Invalid, Op
//     "<connector>.open", with the cause as Err (not copied into Message);
//     the engine passes it on unchanged, so the card fails with kind
//     invalid and is not retried.
//   - A write that must happen once uses Call.Key as its idempotency key.
//
// connectors/example is the smallest complete connector (connection schema
// with a Sensitive secret, Open without I/O, a read and an idempotent
// write, errors mapped to kinds, tests against a fake service on
// loopback): copy it to start a new one. Its tests, like every
// connector's, call connectortest.RefusesOtherConnections, which holds each
// declared action to what NewAction promises.
//
// The registry of connectors is a value ([Registry]) passed to the engine, so
// tests build engines with fakes and nothing registers itself in init.
//
// This package must not import any other engine package (but
// internal/jsonscan, the JSON reader of CheckEvent and FromJSON), and must not do
// I/O of its own.
package connector
