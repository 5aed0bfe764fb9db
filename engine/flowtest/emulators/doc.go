// Package emulators serves the built-in connectors (Okta, ServiceNow) from
// their emulators in flow tests: the `emulator "<connector>"` block of a
// run. It is apart from flowtest so that the test runner itself depends on
// no connector; the CLI wires these in, as it wires the connector registry.
package emulators
