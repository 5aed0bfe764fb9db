//go:build unix

package benchcpu

import (
	"syscall"
	"time"
)

// Time is the CPU time, user and system, that the process has used so
// far, or 0 where it is not available.
func Time() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
