// Package trigger is the way in: every event becomes an execution through
// its Intake, and the triggers that produce events on their own run here.
//
// Intake takes pushed events (event hooks: Hook; endpoint flows: Invoke),
// polled ones (Poll, with the poller's cursor) and the engine's own
// (Submit: asynchronous flow calls, error flows, dry runs, flow tests). It
// routes and checks them, gives them their correlation terms (Terms),
// refuses them under backpressure, holds pushed ones while every worker is
// busy (AckWait: flow control), and writes them to the store's inbox in
// one write, which also claims executions for idle Workers and hands them
// over with the definition they were pinned to. Nothing else writes to the
// inbox (TestOnlyTheIntakeEnqueues).
//
// Manager runs the pollers (Okta System Log, ServiceNow records) and
// schedules of a generation: it holds their leases, reads their cursors,
// hands what they fetch to the Intake, and starts, keeps or restarts each
// flow's trigger when a new generation is activated.
package trigger
