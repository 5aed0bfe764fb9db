//go:build unix

package server

import (
	"os"
	"syscall"
)

func inode(fi os.FileInfo) uint64 {
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(sys.Ino) //nolint:unconvert // Ino is not uint64 everywhere
	}
	return 0
}
