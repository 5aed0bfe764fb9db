// Package engine is the facade of cardflow: it loads and checks flow files
// into a generation (Load), and runs generations (Engine: triggers, inbox,
// workers, hot reload). Commands in engine/cli call it; it prints nothing.
//
// # The path of one event
//
// An event crosses each package once, in one direction:
//
//	Okta POST /hooks/okta/<conn> ─┐
//	POST /flows/<flow>/invoke ────┤ server: routes HTTP; the connector's
//	                              │ Webhook.Receive (or the trigger's Invoke)
//	                              │ decodes and authenticates, and says what
//	                              │ to answer
//	poll / schedule tick ─────────┤ trigger.Manager: leases, cursors
//	flow.call, on_error, dry run ─┤ (runtime, cli, flowtest)
//	                              ▼
//	trigger.Intake: route to the flows whose trigger accepts the event,
//	  check it (connector.CheckEvent), correlation terms (trigger.Terms),
//	  backpressure (--inbox-limit, a store that cannot keep events),
//	  flow control (a pushed event that finds every worker busy waits
//	  for one, up to --ack-wait), resolve each flow's definition, then
//	  ONE write:
//	                              ▼
//	store: pending executions, deduplicated on (flow, event id); a poller's
//	  cursor in the same transaction; idle workers' claims in the same
//	  transaction, pinned to the definitions the intake resolved
//	                              ▼
//	runtime.Pool (trigger.Workers): runs what the intake handed it on the
//	  definition it carries; claims the rest (and parked, released and
//	  expired executions) itself, resolving by definition hash
//	                              ▼
//	runtime.Executor: cards in order, each attempt journaled; flow calls
//	  and error flows go back in through the Intake, never the store
//
// The server answers 2xx only after the intake's write committed; the
// errors it maps to 503 (trigger.ErrBusy, trigger.ErrStoreUnavailable,
// trigger.ErrNotStored) belong to the intake. The Engine wires the pieces:
// it is the pool's Resolver, the intake's Health and its Generation.
//
// A definition hash pins what an execution runs on: the flow, its
// connections' and tables' blocks, the plain variable values and the
// tenants its connections reach, never a secret (pinning.go says why).
// Resolve rebuilds a stored definition and says, with ErrCannotRun, why
// an execution cannot run on it; CheckReplay asks the same of a
// definition before `cardflow replay` queues an execution.
//
// Single executions outside an Engine also run here: DryRun (writes
// intercepted, reads from emulators or tenants) and SingleRun, which flow
// tests use. Both run on their own in-memory store, so that no caller
// assembles a store, an executor, an enqueue and a claim itself.
package engine
