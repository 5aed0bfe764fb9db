package sqlite

// BatchStats reports how many transactions the writer committed and how
// many writes they held.
func BatchStats(s *Store) (batches, writes int64) {
	return s.w.batches.Load(), s.w.writes.Load()
}

// The benchmarks' fixture and claim, shared with the package's own tests.
var (
	OktaEvent       = oktaEvent
	EnqueueAndClaim = enqueueAndClaim
)
