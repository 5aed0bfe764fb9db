// Package postgres is the store.Store for several replicas: every cardflow
// process pointed at the same PostgreSQL database shares one inbox, one
// history, the flow tables, cursors, definitions and leases.
//
// Claims take pending executions, and running ones whose lease expired
// (their replica died), with FOR UPDATE SKIP LOCKED, so replicas never wait
// for each other and never claim the same execution twice. A claimed
// execution resumes from its journal. Pollers and schedules run on the
// holder of a row in the leases table, renewed each tick; leases are rows,
// not session advisory locks, so that they work behind PgBouncer.
//
// Hot writes (Enqueue, Pin, Append, Finish, Release, Reopen) go through a
// few writer goroutines per Store (an execution's writes always through the
// same one), each sending whatever is pending as one pipelined batch, one
// implicit transaction and one commit (group commit): a nil error means the
// write has committed. New work is announced with NOTIFY; Store implements
// store.Notifier so that the worker pool wakes at once, and polls as a
// fallback when notifications do not arrive (a transaction-pooling
// PgBouncer does not forward them).
//
// The schema is created and upgraded by numbered migrations embedded from
// migrations/*.sql, recorded in schema_migrations and applied under a
// transaction-level advisory lock, so that replicas starting together do
// not race.
//
// The package knows nothing of flows or HCL: it stores bytes and timestamps.
package postgres
