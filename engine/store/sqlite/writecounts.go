package sqlite

import (
	"os"

	"github.com/cardflow/cardflow/engine/store"
)

var _ store.WriteCounter = (*Store)(nil)

// WriteCounts implements store.WriteCounter. A store opened ReadOnly
// writes nothing: it reports the WAL file alone.
func (s *Store) WriteCounts() store.WriteCounts {
	st := store.WriteCounts{WAL: true}
	if s.w != nil {
		st.Commits, st.Writes = s.w.batches.Load(), s.w.writes.Load()
	}
	if s.cp != nil {
		st.WALRestarts, st.WALRestartsBlocked = s.cp.restarts.Load(), s.cp.blocked.Load()
	}
	if fi, err := os.Stat(s.walPath); err == nil {
		st.WALBytes = fi.Size()
	}
	return st
}
