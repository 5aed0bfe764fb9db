//go:build unix

package runtime_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time, user and system, the process has used so far.
// Benchmarks report it per operation because wall-clock rates on a shared
// machine measure the neighbours as much as the code.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
