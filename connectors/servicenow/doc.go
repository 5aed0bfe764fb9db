// Package servicenow is the cardflow connector for the ServiceNow Table API:
// record and incident actions, a generic api_call action, and the
// record_created / record_updated polling triggers.
//
// It talks to the instance through a thin net/http client of its own
// (client.go): basic auth, OAuth (oauth.go, on golang.org/x/oauth2) or an API key, one keep-alive
// transport and one rate limiter per connection, Link-header paging, and the
// mapping of ServiceNow's error envelopes to connector error kinds (a
// data-policy 403 is Invalid, with advice, not Permission). ServiceNow
// returns every value as a string and the connector keeps them so: records
// are map(string), so state "6", sys_mod_count "3" and active "true" reach
// flows as ServiceNow sends them, and references are plain sys_ids.
//
// The pollers (poller.go) follow the reference notes §6.3. Each tick reads
// the window [last timestamp - overlap, now - safety_lag] of sys_updated_on
// (sys_created_on for record_created), ANDed with the flow's query, in
// (timestamp, sys_id) order. Pages are keyset pages (each starts after the
// last row read, so a record leaving the window mid-poll shifts nothing), an
// empty page is followed through its Link rel="next", and the cursor, stored
// after every page, is JSON:
//
//	{"ts": "2026-11-20 10:02:41", "floor": "...", "seen": {"2026-11-20 10:02:41": {"<sys_id>": 2}}}
//
// seen remembers the versions (sys_id → sys_mod_count) read within the
// overlap, bucketed by timestamp so that whole seconds are pruned once the
// window has passed them; a version is emitted only when it is newer than
// what seen holds. Event IDs are sys_id@sys_mod_count
// (record_updated) and sys_id@created (record_created). The overlap must
// exceed the instance's commit lag plus the clock skew between the engine
// and the instance.
//
// The connector imports engine/connector and nothing else of the engine. It
// never retries on its own (the engine does, honouring RetryAt), with one
// exception: a 401 under OAuth fetches a new token and repeats the request
// once. Open does no network I/O.
package servicenow
