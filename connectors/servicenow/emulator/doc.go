// Package emulator is an in-memory ServiceNow Table API for tests, the demo,
// dry-run and local development (DESIGN.md §7).
//
// It serves /api/now/table/{table} (also under /api/now/v1 and /api/now/v2)
// and /oauth_token.do with the platform's wire format: every value a string,
// UTC "YYYY-MM-DD HH:MM:SS" dates, references as {link, value}, the
// {"error":{message,detail},"status":"failure"} envelope, Link and
// X-Total-Count paging headers, rate-limit headers and the incident rules an
// integration trips over (numbering, priority lookup, state side effects,
// journal fields, the Resolution code/notes data policy, silently dropped
// unknown close codes, and unknown fields: a table stores only its columns,
// built in or declared with Options.Columns or a seed's columns, and a query
// condition on any other field is ignored). Encoded queries go through the shared
// connectors/servicenow/query package, so the emulator, the poller and
// `cardflow validate` agree on what a query means.
//
// Tests and the demo act as people (the approver) through Insert and Update,
// which take the same write path and rules as HTTP, and inject faults (429,
// 5xx, latency, ACL-hidden rows) with Inject.
//
// Deliberate differences from an instance: a query that does not parse, or
// a javascript: value other than gs.dateGenerate, is a 400 "Invalid query"
// (the platform ignores the bad part); the Link header is sent even for a
// single page; references written as a display value or user_name are
// resolved to a sys_id; state wins when state and incident_state disagree;
// a table that is neither built in nor declared, created by the Go API, a
// seed or Options.CreateTables, is open: it takes any field as a column.
//
// It must not grow into a ServiceNow: no ACLs, business-rule engine, script
// evaluation or persistence. Where its behaviour is a guess rather than a
// documented or observed platform behaviour, the code says so.
package emulator
