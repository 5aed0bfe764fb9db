// cardflow-bench measures cardflow end to end, the way a user runs it.
//
// It builds nothing: it runs the binary given by -bin (make build) three
// times as separate processes on loopback ports the kernel picks:
// `cardflow emulate okta`, `cardflow emulate servicenow` and `cardflow run`
// with the product's own flows/onboarding/request_approval.hcl and
// variables.hcl (embedded by package flows) beside this command's
// flows/connections.hcl, the onboarding connections with rate_limit raised:
// the defaults, okta 10/s and servicenow 20/s, model a tenant's API limits
// and would measure the limiter. Users are created in the Okta emulator, one per delivery,
// from a seed file (-seed file, fast) or through POST
// /api/v1/users?activate=false (-seed api). Each delivery is an Okta event
// hook envelope with one user.lifecycle.create event (a fresh uuid, the
// user as target), POSTed over keep-alive connections (one per sender,
// written and read on the sender's goroutine: hookClient) either at a fixed
// rate (-rate, open loop: latency counts from when the delivery was due, so
// a stalled engine cannot hide its queue) or with -concurrency executions
// outstanding (closed loop: a delivery is sent when an execution ends, as
// the engine's "execution finished" log line says, read within 10 ms).
//
// What it measures and how:
//   - Throughput: succeeded executions divided by the time from the first
//     delivery to the last execution's end, and the executions that ended
//     within the load window divided by its length.
//   - Latency "delivery → incident created": the journal's end time of the
//     incident card's successful attempt (the engine's clock, the moment
//     the ServiceNow POST answered, so the incident existed) minus the
//     delivery's due time (the harness's clock; both are CLOCK_REALTIME of
//     the same machine). It is read from the SQLite file after the engine
//     stopped, for every delivery, which beats polling the emulator (load
//     of its own, and sys_created_on has a 1 s resolution). "Delivery →
//     execution ended" uses the execution's ended_at (after table.put and
//     the final commit). The indented rows split that time by the journal:
//     inbox → started (claim), each card's run time, and the wait before
//     each card (the previous journal append's group commit, Pin's before
//     the first card, and scheduling).
//   - CPU: utime+stime of each process from /proc/<pid>/stat between the
//     start of the load and the end of the last execution; peak RSS of the
//     engine is VmHWM from /proc/<pid>/status. The machine's busy time from
//     /proc/stat minus those gives other processes' share.
//
// Afterwards it checks that every acknowledged delivery has exactly one
// execution, succeeded (the store's executions table, keyed by the event
// uuid), and exactly one incident with correlation_id = the user id (the
// ServiceNow emulator's Table API); it exits 1 when a check fails.
//
// With -reload-at D it rewrites the flow's description D into the load (a
// real change: the definition hash changes) and polls the engine's health
// (the admin GET /api/v1/health) until the generation moves; the same
// checks prove no delivery was lost across the swap. With -pprof FILE it
// runs cardflow with --pprof, saves a CPU profile of the engine under load
// and prints its CPU grouped by what each sample's stack serves (the
// store, outbound HTTP, the runtime, …).
//
// With -flow incident the flow under load is flows/incident.hcl instead:
// the incident is created from the event alone (no user read, no table
// row), the job peers such as Node-RED are compared on.
//
// With -postgres URL each run creates a new database on that server, runs
// cardflow run --store on it (-replicas N processes, deliveries sent to
// each in turn; CPU is their sum, peak RSS the largest), verifies from it,
// and drops it. With -suite the closed loop runs again on PostgreSQL with
// one and with three replicas. Without -postgres, -suite says that
// PostgreSQL was not measured. The PostgreSQL server's CPU counts under
// "other processes". The store's size per execution is the database's
// growth during the run (pg_database_size); on SQLite it is the file's size
// after the engine stopped, and the WAL's largest size is sampled every
// 50 ms during the load.
//
// Children run in their own process groups with Pdeathsig set, and are
// stopped on every exit path, panics and SIGINT/SIGTERM included.
package main
