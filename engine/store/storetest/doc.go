// Package storetest is the conformance suite every store.Store
// implementation runs: Run drives a fresh store through the inbox, claims,
// journal, history, definitions, cursors, tables and leases and fails on
// any departure from the behaviour the engine relies on.
//
// It contains only tests of the interface's behaviour; an implementation's
// own concerns (migrations, durability across a crash, throughput) are
// tested in its package.
package storetest
