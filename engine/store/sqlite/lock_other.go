//go:build !unix

package sqlite

import (
	"errors"
	"os"
)

// lockFile is not available here: Exclusive stores cannot be opened.
func lockFile(string) (*os.File, error) {
	return nil, errors.New("exclusive stores need flock, which this system lacks")
}
