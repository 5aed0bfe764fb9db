// Package flowtest runs flow tests: the run blocks of *.test.hcl files.
//
// A run executes one flow for a given trigger event through
// engine.SingleRun (its own in-memory store),
// with connector actions answered by mocks or by the connectors' built-in
// emulators, and a clock that advances instantly through retry delays. It
// then checks the run's expectations: assert conditions over the card
// outputs, which actions were called and with what, which cards were
// skipped or failed, and how the execution ended.
//
// Check is the static part (unknown flows, cards, actions, tables, mock
// output attributes), shared with cardflow validate.
//
// The emulators of emulator blocks are injected (Options.Emulators), as the
// connector registry is; package flowtest/emulators has the built-in ones.
//
// flowtest never reaches a real tenant: an action of a connector that talks
// to the outside world and that no mock or emulator answers fails the run.
// It does not print: the CLI renders its Report.
package flowtest
