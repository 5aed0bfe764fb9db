package main

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes the kernel kill cardflow if the test process dies
// first (a panic or -timeout), so that no server outlives the test.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
