//go:build !unix

package benchcpu

import "time"

// Time is the CPU time, user and system, that the process has used so
// far, or 0 where it is not available: here it is not.
func Time() time.Duration { return 0 }
