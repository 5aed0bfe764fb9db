package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/cardflow/cardflow/engine/store"
)

var _ store.Checker = (*Store)(nil)

// files remembers which files the store opened, so that Check can tell
// that one was removed or replaced while the process runs. SQLite keeps
// writing into an unlinked file without an error, and everything it writes
// there is gone when the process stops.
type files struct {
	paths []string
	infos []os.FileInfo
}

// remember records the database file and its WAL as they are now. The WAL
// stays while any connection is open (checkpoints truncate it, they do not
// remove it), so a missing or different one later means someone removed it.
func (f *files) remember(path string) {
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			f.paths = append(f.paths, p)
			f.infos = append(f.infos, fi)
		}
	}
}

// Check implements store.Checker: it fails once the database file or its
// WAL is no longer the one the store opened.
func (s *Store) Check() error {
	for i, p := range s.files.paths {
		fi, err := os.Stat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("the database file %s was removed while cardflow runs: what it stores now is lost when the process stops; restore it from a backup or restart to start afresh", p)
		case err != nil:
			return fmt.Errorf("the database file %s cannot be checked: %w", p, err)
		case !os.SameFile(fi, s.files.infos[i]):
			return fmt.Errorf("the database file %s was replaced while cardflow runs (another file now has its name): the store still writes to the old one; restart cardflow to open the new one", p)
		}
	}
	return nil
}
