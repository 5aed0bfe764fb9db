// Package example is the smallest complete cardflow connector, to copy
// when writing a new one. It talks to a made-up ticketing service's REST
// API ("GET /tickets/{id}", "POST /tickets") and shows each part every
// connector has:
//
//   - a descriptor, New, that the command's main adds to the registry
//     (nothing registers itself);
//   - the connection block's schema, with the secret marked Sensitive so
//     that it comes from env() or file() and never reaches a journal or a
//     log, and Open, which builds the client without network I/O (validate
//     and dry-run call it too);
//   - actions declared with connector.NewAction, each with its Input schema
//     (documented, typed, defaults), its Output type and its Effect (dry
//     runs intercept writes), doing its work on the connection's client;
//   - failures mapped to kinds (connector.HTTPKind, Retry-After as RetryAt)
//     so that the engine retries what is transient and fails the rest;
//   - a write made idempotent with the call's key (Call.Key), the same
//     across retries, crash recovery and replays.
//
// It imports engine/connector and nothing else of the engine.
package example
