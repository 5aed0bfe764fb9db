package cli

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestTuneGCLeavesTheEnvironmentsSettings: GOGC and GOMEMLIMIT set by the
// operator win; unset, run's own settings apply.
func TestTuneGCLeavesTheEnvironmentsSettings(t *testing.T) {
	percent := debug.SetGCPercent(100)
	limit := debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})

	t.Setenv("GOGC", "100")
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetMemoryLimit(1 << 30)
	tuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, the GC percent became %d", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<30 {
		t.Errorf("with GOMEMLIMIT set, the memory limit became %d", got)
	}

	os.Unsetenv("GOGC") // t.Setenv restores both at the end
	os.Unsetenv("GOMEMLIMIT")
	tuneGC()
	if got := debug.SetGCPercent(100); got != runGCPercent {
		t.Errorf("GC percent = %d, want %d", got, runGCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != runMemoryLimit {
		t.Errorf("memory limit = %d, want %d", got, runMemoryLimit)
	}
}
