// Package lang evaluates what engine/config decoded: HCL expressions over
// the trigger, earlier cards, variables and each, with go-cty's standard
// functions plus env() and file(); and expr-lang predicates (`if`,
// `filter`), compiled once against a typed environment so that validate
// catches unknown fields and non-boolean results.
//
// lang does no network I/O. env() and file() read the process environment
// and local files through a Host the caller provides.
package lang
