// Package seed reads seed files: the one JSON format that gives the
// emulators (`cardflow emulate --seed`, `cardflow dry-run --seed`, the
// `emulator` blocks of flow tests) and dry-run's flow tables their content
// before anything runs.
//
// A file is either the whole format, {"okta": …, "servicenow": …,
// "tables": …}, or one emulator's part alone (the format the emulator
// packages decode), recognised by its fields. Unknown fields are errors that
// name the field and where it is: a misspelt field must never seed nothing
// in silence.
//
// The package reads and checks; it starts no emulator and touches no store.
package seed
