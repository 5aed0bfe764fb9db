// Package engine is the facade of cardflow: it loads and checks flow files
// into a generation (Load), and runs generations (Engine: triggers, inbox,
// workers, hot reload). Commands in engine/cli call it; it prints nothing.
package engine
