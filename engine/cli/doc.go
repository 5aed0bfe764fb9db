// Package cli holds the cardflow commands. It is the only package that
// touches stdout, stderr, flags and the process environment; everything
// else is reached through the engine facade.
//
// Each command has an Options struct, a NewCmdX(f, runF) constructor and an
// xRun function, so tests check flag parsing (through runF) and logic
// separately. Options take what a command depends on as functions (a store
// opener, the engine constructor, a clock, the emulators), so that tests
// can replace them and cli depends on no emulator: cmd/cardflow wires the
// emulators in (package cli/emulators) as it does the connector registry.
package cli
