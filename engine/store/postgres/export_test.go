package postgres

// WriterStats returns how many transactions the writer committed and how
// many writes they held.
func WriterStats(s *Store) (groups, writes int64) {
	for _, w := range s.ws {
		groups, writes = groups+w.groups.Load(), writes+w.writes.Load()
	}
	return groups, writes
}
