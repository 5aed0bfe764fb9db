package main

import (
	"context"
	"os"
	"sync/atomic"
	"time"
)

// diskResult is what the store's files took on disk.
type diskResult struct {
	// WALMax is the largest size of the SQLite write-ahead log seen while
	// the load ran (sampled every diskEvery).
	WALMax int64 `json:"wal_max_bytes"`
	// DBBytes is the database file's size after the engine stopped (its
	// last connection checkpointed the WAL into it); on PostgreSQL, what
	// pg_database_size grew by from the migrated, empty database.
	DBBytes int64 `json:"db_bytes"`
	// pgBase is pg_database_size before the load.
	pgBase int64
	// Executions is the number of executions in that file.
	Executions int `json:"db_executions"`
}

// PerExecution is the database's bytes per execution it holds.
func (d diskResult) PerExecution() float64 {
	if d.Executions == 0 {
		return 0
	}
	return float64(d.DBBytes) / float64(d.Executions)
}

// diskEvery is how often the WAL's size is sampled: often enough to see a
// WAL that grows by tens of MB a second between two checkpoints.
const diskEvery = 50 * time.Millisecond

// watchWAL samples the size of path until ctx ends and keeps the largest
// in max.
func watchWAL(ctx context.Context, path string, max *atomic.Int64) {
	t := time.NewTicker(diskEvery)
	defer t.Stop()
	for {
		if fi, err := os.Stat(path); err == nil && fi.Size() > max.Load() {
			max.Store(fi.Size())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
