// Package store defines where cardflow keeps what must survive a crash: the
// inbox of trigger events, executions and their card journal, flow tables,
// trigger cursors, flow definitions by hash, and leases.
//
// Implementations: sqlite (the embedded default, one file, WAL), memory (unit
// tests) and postgres (several replicas). Every implementation passes
// the same suite, storetest.Run.
//
// # Sides of a store
//
// Store is what every implementation provides; it is the composition of
// the interfaces its users need, and a user that needs one side depends on
// that one:
//
//   - Inbox: the intake's side. Enqueue turns trigger events into pending
//     executions; Depth counts them (backpressure); Cursor and SetCursor
//     keep the pollers' places.
//   - Worker: running executions. Claim, Renew, Release, Park, Pin,
//     Append, Finish, Reopen, and the definitions executions are pinned to.
//   - History: reading what ran (Execution, Journal, Executions).
//   - Tables: flow tables, which cards and the audit log write.
//   - Leases: named leases, by which one replica runs a poller.
//
// Optional capabilities are separate interfaces a caller asserts:
// Notifier, Checker, Pruner, ActivityReader.
//
// # Options
//
// A call that may also do more in the same transaction takes an options
// struct, named for its method as database/sql's TxOptions is for
// BeginTx, and passed by value as ReplayOptions is: the zero value is the
// plain call, each field adds one thing, and the hot path allocates nothing
// for it (a pointer passed through an interface method escapes to the heap).
//
//	// pending executions
//	st.Enqueue(ctx, events, store.EnqueueOptions{})
//	// and a poller's cursor, in the same transaction
//	st.Enqueue(ctx, events, store.EnqueueOptions{CursorKey: key, Cursor: cursor})
//	// and claimed for a worker that is idle
//	st.Enqueue(ctx, events, store.EnqueueOptions{Claim: claimant})
//	// claimed and pinned to a definition
//	st.Claim(ctx, owner, n, lease, store.ClaimOptions{Pin: pin})
//
// The fields combine: an Enqueue may set a cursor and claim at once, all or
// nothing.
//
// A store holds bytes and timestamps; it knows nothing of HCL or cty, and it
// never interprets payloads.
package store
