// Package flows embeds the example flows, so that `cardflow demo` runs the
// very files users copy.
package flows
