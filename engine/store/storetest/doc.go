// Package storetest is the conformance suite every store.Store
// implementation runs: Run drives a fresh store through the inbox, claims,
// journal, history, definitions, cursors, tables and leases and fails on
// any departure from the behaviour the engine relies on.
//
// Beyond the comments on store.Store, the suite holds implementations to
// these rules:
//
//   - Execution ids sort in enqueue order, also within one batch, and
//     Claim and Executions order by id (oldest first, newest first).
//   - An empty DedupKey deduplicates nothing. An event without a Flow is an
//     error, and the whole Enqueue, with its cursor and claims, writes
//     nothing.
//   - A zero ReceivedAt is stored as the time of Enqueue; Filter.Since
//     compares with ReceivedAt, inclusively.
//   - A lease has expired when now >= LeaseUntil. A reclaim keeps
//     StartedAt and increments Claims; Release decrements it again (a
//     graceful release is not a crash) and ignores ids the owner does not
//     hold.
//   - Renew renews what owner holds and returns ErrLeaseLost (wrapped) if
//     any id is not running under owner.
//   - Append numbers entries 1, 2, … per execution; an entry for an unknown
//     execution fails the whole call with ErrNotFound. Journal of an unknown
//     execution is ErrNotFound, of one without entries empty.
//   - Finish takes only a final status and works from any state; Reopen
//     refuses a live execution and keeps the journal and Claims. The
//     entries Reopen carries are journaled only if it reopens: of
//     concurrent replays of one execution, one journals its resets.
//   - Cancel ends only a pending or waiting execution (ErrRunning,
//     ErrFinished otherwise); of a Cancel and a Claim racing for one
//     execution exactly one wins. Wake makes only a waiting execution due
//     now, and journals its entries only if it does.
//   - ReleaseLease by a non-holder is a no-op. After Close calls fail.
//   - Timestamps survive to the millisecond, bytes exactly (nil and empty
//     alike).
//
// It contains only tests of the interface's behaviour; an implementation's
// own concerns (migrations, durability across a crash, throughput) are
// tested in its package.
package storetest
