// Package emulators gives the command line the built-in connectors'
// emulators (Okta, ServiceNow): for flow tests and validate, dry runs,
// `cardflow emulate` and `cardflow demo`. cmd/cardflow passes Default to
// the command line as it passes the connector registry, so that package
// cli depends on no emulator and a build without them still compiles.
//
// It starts and seeds emulators and maps cli's settings onto theirs; it
// must not hold command logic.
package emulators
