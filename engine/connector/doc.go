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
// Actions are declared with [NewAction]: an [Action] (name, doc, Input
// schema, Output type, [Effect]) and an [ActionFunc] that works on the
// connection's own client type. NewAction refuses a card without that
// connection, names failures after the action, and converts the result to
// Output. Failures are [*Error] values whose [Kind] the connector chooses
// ([HTTPKind] for a status, refined by the service's own error codes;
// RetryAt from Retry-After or a rate-limit reset): the engine retries
// Transient and RateLimited ones and fails the card on the rest. A write
// that must happen once uses Call.Key as its idempotency key.
//
// connectors/example is the smallest complete connector (connection schema
// with a Sensitive secret, Open without I/O, a read and an idempotent
// write, errors mapped to kinds, tests against a fake service on
// loopback): copy it to start a new one.
//
// The registry of connectors is a value ([Registry]) passed to the engine, so
// tests build engines with fakes and nothing registers itself in init.
//
// This package must not import any other engine package (but
// internal/jsonscan, the JSON reader of CheckEvent and FromJSON), and must not do
// I/O of its own.
package connector
