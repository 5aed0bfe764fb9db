// Package store defines where cardflow keeps what must survive a crash: the
// inbox of trigger events, executions and their card journal, flow tables,
// trigger cursors, flow definitions by hash, and leases.
//
// Implementations: sqlite (the embedded default, one file, WAL), memory (unit
// tests) and postgres (several replicas). Every implementation passes
// the same suite, storetest.Run.
//
// A store holds bytes and timestamps; it knows nothing of HCL or cty, and it
// never interprets payloads.
package store
