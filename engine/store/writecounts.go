package store

// WriteCounter is implemented by stores that commit writes in groups, one
// transaction for the writes that arrived while the last one committed,
// and can count them: the engine exports the counts as metrics.
type WriteCounter interface {
	// WriteCounts returns the counts since the store was opened. It does
	// not wait for writes in flight.
	WriteCounts() WriteCounts
}

// WriteCounts are a store's write counts.
type WriteCounts struct {
	// Commits is the transactions committed and Writes the writes they
	// held: Writes/Commits is how many writes one transaction carried.
	Commits, Writes int64
	// WAL says the store keeps a write-ahead log file (SQLite). Then
	// WALBytes is the file's size on disk, and WALRestarts how many times
	// the log started over from its beginning after a checkpoint had
	// copied all of it into the database: under sustained writes, what
	// keeps the file from growing. WALRestartsBlocked counts the restarts
	// that readers on older snapshots held off (a backup, a long export):
	// while such a reader lasts, the log grows.
	WAL                                       bool
	WALBytes, WALRestarts, WALRestartsBlocked int64
}
