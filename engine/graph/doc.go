// Package graph orders things that depend on each other and reports cycles.
// It knows nothing of flows: nodes are strings.
package graph
