// Package engine is the facade of cardflow: it loads and checks flow files
// into a generation (Load), and runs generations (Engine: triggers, inbox,
// workers, hot reload). Commands in engine/cli call it; it prints nothing.
//
// Single executions outside an Engine also run here: DryRun (writes
// intercepted, reads from emulators or tenants) and SingleRun, which flow
// tests use. Both run on their own in-memory store, so that no caller
// assembles a store, an executor, an enqueue and a claim itself.
package engine
