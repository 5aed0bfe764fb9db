// Package runtime executes flows: for one trigger event it evaluates each
// card's inputs, its condition and its for_each, calls the action under the
// card's retry policy and timeout, journals every attempt, and applies the
// error policy. Executions resume from their journal after a crash and run
// on the definition they were pinned to.
//
// runtime owns the worker pool that claims executions from the store. It
// never prints, never reads flags, and never serves HTTP.
package runtime
