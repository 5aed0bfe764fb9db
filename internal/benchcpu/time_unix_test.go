//go:build unix

package benchcpu_test

import (
	"testing"
	"time"

	"github.com/cardflow/cardflow/internal/benchcpu"
)

// spins counts the loops of spin, so that they are not optimised away.
var spins int

// spin keeps a core busy for about d of wall time.
func spin(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
		spins++
	}
}

func TestTimeCountsWork(t *testing.T) {
	start := benchcpu.Time()
	if start <= 0 {
		t.Fatalf("Time() = %v at start, want > 0", start)
	}
	spin(50 * time.Millisecond)
	if used := benchcpu.Time() - start; used <= 0 {
		t.Errorf("Time() grew by %v over 50ms of spinning, want > 0", used)
	}
}

func TestPerOpReportsCPUPerOp(t *testing.T) {
	r := testing.Benchmark(func(b *testing.B) {
		defer benchcpu.PerOp(b)()
		for b.Loop() {
			spin(100 * time.Microsecond)
		}
	})
	got, ok := r.Extra["cpu-ns/op"]
	if !ok {
		t.Fatalf("no cpu-ns/op in %v", r.Extra)
	}
	// Each operation spins for 100µs of wall time; on a loaded machine the
	// spinning goroutine is descheduled for part of it, so allow a wide
	// margin below, and above for the benchmark's own overhead.
	if got < 10e3 || got > 10e6 {
		t.Errorf("cpu-ns/op = %v, want about 100µs", got)
	}
}
