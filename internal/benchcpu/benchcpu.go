package benchcpu

import "testing"

// PerOp starts measuring and returns the function that stops: it reports
// the CPU time since, divided by b.N, as the metric cpu-ns/op. Call it as
// defer benchcpu.PerOp(b)() after the benchmark's setup. Where Time is not
// available it reports nothing.
func PerOp(b *testing.B) func() {
	start := Time()
	return func() {
		if cpu := Time() - start; cpu > 0 {
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}
