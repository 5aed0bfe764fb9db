package postgres

import "github.com/cardflow/cardflow/engine/store"

var _ store.WriteCounter = (*Store)(nil)

// WriteCounts implements store.WriteCounter, summed over the writers.
func (s *Store) WriteCounts() store.WriteCounts {
	var st store.WriteCounts
	for _, w := range s.ws {
		st.Commits += w.groups.Load()
		st.Writes += w.writes.Load()
	}
	return st
}
