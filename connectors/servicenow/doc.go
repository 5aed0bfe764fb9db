// Package servicenow is the cardflow connector for the ServiceNow Table API:
// record and incident actions, a generic api_call action, and the
// record_created / record_updated polling triggers.
//
// It talks to the instance through a thin net/http client of its own
// (client.go): basic auth, OAuth (oauth.go) or an API key, a per-connection
// rate limiter, Link-header paging and the mapping of ServiceNow's error
// envelopes to connector error kinds. ServiceNow returns every value as a
// string, and the connector keeps them strings: records are map(string), so
// state "6", sys_mod_count "3" and active "true" reach flows as ServiceNow
// sends them.
//
// The pollers (poller.go) follow the algorithm of the reference notes §6.3:
// a look-back window over sys_updated_on (or sys_created_on) with a safety
// lag, keyset pages ordered by (timestamp, sys_id), and a cursor that
// remembers which (sys_id, sys_mod_count) pairs were already delivered, so
// that no update is missed and none is delivered twice.
//
// The connector imports engine/connector and nothing else of the engine. It
// never retries on its own (the engine does, honouring RetryAt), with one
// exception: a 401 under OAuth refreshes the token and repeats the request
// once. Open does no network I/O.
package servicenow
