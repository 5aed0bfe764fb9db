package cli

import (
	"os"
	"runtime/debug"
)

// Garbage collector settings of `cardflow run` when GOGC and GOMEMLIMIT
// are not set. Executions allocate briskly and keep little alive, so Go's
// default (a collection whenever the heap doubles) collects often.
// Collecting when it grows fivefold cut the
// engine's CPU per execution by about a tenth in the load benchmark
// (cmd/cardflow-bench), for about 23 MiB more resident memory (77 → 100
// MiB); the soft limit makes the collector work harder as the heap nears
// it instead of growing on.
const (
	runGCPercent   = 400
	runMemoryLimit = 192 << 20
)

// tuneGC applies the settings above, leaving those the environment sets.
func tuneGC() {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(runGCPercent)
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(runMemoryLimit)
	}
}
