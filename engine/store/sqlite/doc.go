// Package sqlite is the embedded default store.Store: one SQLite file in WAL
// mode through modernc.org/sqlite (pure Go, no cgo).
//
// Writes go through a single writer goroutine that owns the one write
// connection and commits whatever is pending as one transaction (group
// commit): each caller returns only after the transaction holding its write
// has committed, so a nil error means the write survives a crash of the
// process (and, with Options.SyncFull, of the machine), while many
// concurrent writers share one commit. Reads use a separate pool of
// read-only connections, which WAL lets run beside the writer.
//
// The schema is created and upgraded by numbered migrations embedded from
// migrations/*.sql and recorded in schema_migrations.
//
// A store opened with Options.Exclusive (cardflow run) holds a lock on
// FILE.lock for as long as it is open: no other process runs executions on
// the file, so what a dead process left running is taken over at once.
//
// The package knows nothing of flows or HCL: it stores bytes and timestamps.
package sqlite
