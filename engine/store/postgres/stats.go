package postgres

import "github.com/cardflow/cardflow/engine/store"

var _ store.WriteStatser = (*Store)(nil)

// WriteStats implements store.WriteStatser, summed over the writers.
func (s *Store) WriteStats() store.WriteStats {
	var st store.WriteStats
	for _, w := range s.ws {
		st.Commits += w.groups.Load()
		st.Writes += w.writes.Load()
	}
	return st
}
