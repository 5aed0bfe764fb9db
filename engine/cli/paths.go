package cli

import (
	"errors"
	"fmt"
	"os"
)

// checkPaths refuses flow paths that do not exist. A missing path is a
// mistake on the command line, not in the flows: every command exits 2
// for it, as for a bad flag, before it touches anything.
func checkPaths(paths []string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			if inner := errors.Unwrap(err); inner != nil {
				err = inner
			}
			return exit(ExitUsage, fmt.Errorf("cannot read %s: %w", p, err))
		}
	}
	return nil
}
