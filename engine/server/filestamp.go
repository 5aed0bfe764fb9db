package server

import (
	"fmt"
	"os"
	"strings"
)

// fileStamp identifies the versions of a set of files: their sizes,
// modification times and, where the system has them, inodes, so that a
// file replaced by a rename (how editors, cert-manager and Kubernetes
// secrets update files) is seen even with the same size and time.
type fileStamp string

// stampFiles returns the stamp of paths, following symlinks.
func stampFiles(paths ...string) (fileStamp, error) {
	var b strings.Builder
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%d:%d:%d;", fi.Size(), fi.ModTime().UnixNano(), inode(fi))
	}
	return fileStamp(b.String()), nil
}
