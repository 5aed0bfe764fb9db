package main

import (
	"context"
	"database/sql"
	"time"
)

// holdResult is what the held-reader mode did: a read transaction open on
// the SQLite store for a stretch of the load, as a backup (sqlite3
// .backup, VACUUM INTO) holds one while it copies. The WAL cannot start
// over while it lasts.
type holdResult struct {
	At         float64 `json:"at_s"`   // seconds into the load the reader began
	HeldS      float64 `json:"held_s"` // how long it held its snapshot
	Executions int64   `json:"executions_in_snapshot"`
	Error      string  `json:"error,omitempty"`
}

// holdRead opens a read transaction on the store at `at`, reads from it
// so that it holds a snapshot, and ends it after d.
func (b *bench) holdRead(ctx context.Context, start, at time.Time, d time.Duration) *holdResult {
	r := &holdResult{}
	select {
	case <-ctx.Done():
		r.Error = "the load ended first"
		return r
	case <-time.After(time.Until(at)):
	}
	db, _, err := b.openStore()
	if err == nil {
		defer db.Close()
		var tx *sql.Tx
		if tx, err = db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true}); err == nil {
			defer tx.Rollback()
			began := time.Now()
			if err = tx.QueryRowContext(ctx, "SELECT count(*) FROM executions").Scan(&r.Executions); err == nil {
				r.At = began.Sub(start).Seconds()
				b.logf("reader: holding a snapshot of %d executions for %s", r.Executions, d)
				select {
				case <-ctx.Done():
				case <-time.After(d):
				}
				r.HeldS = time.Since(began).Seconds()
			}
		}
	}
	if err != nil {
		r.Error = err.Error()
	}
	return r
}
