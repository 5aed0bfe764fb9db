// Package cli holds the cardflow commands. It is the only package that
// touches stdout, stderr, flags and the process environment; everything
// else is reached through the engine facade.
//
// Each command has an Options struct, a NewCmdX constructor and an xRun
// function, so tests check flag parsing and logic separately.
package cli
