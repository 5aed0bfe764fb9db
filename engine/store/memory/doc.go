// Package memory is an in-memory store.Store for unit tests of the runtime,
// the triggers and the server: mutex-protected maps, no files, nothing
// survives Close or the process.
//
// It implements the same semantics as the sqlite store (storetest.Run holds
// both to them) but makes no durability promise, so it must not back a
// running engine.
package memory
