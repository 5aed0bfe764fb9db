// Package plan turns a decoded configuration into executable, fully checked
// flows: it evaluates what can be known before an event arrives (variables,
// connections, durations, retry policies), type-checks every card input and
// predicate against the trigger's and earlier cards' output types, and
// computes each flow's definition hash and the parts of its trigger value
// that its expressions read (Flow.TriggerUse).
//
// Compile in lang.Check mode is `cardflow validate`: no network I/O, unset
// env() is a warning. In lang.Live mode it is what `cardflow run` executes.
package plan
