package store

import (
	"context"
	"time"
)

// Tables is the side of a store that keeps flow tables: rows by table and
// key, which cards read and write (a card's writes go with its journal
// entry, JournalEntry.Tables) and the audit log is kept in.
type Tables interface {
	TableGet(ctx context.Context, table, key string) ([]byte, error) // ErrNotFound
	TablePut(ctx context.Context, table, key string, row []byte) error
	TableDelete(ctx context.Context, table, key string) (bool, error)
	// TableScan calls fn for each row of table in key order until it returns false.
	TableScan(ctx context.Context, table string, fn func(key string, row []byte) bool) error
}

// Leases is the side of a store that keeps named leases, by which one
// replica of several runs a poller.
type Leases interface {
	// AcquireLease takes or renews the named lease for owner until now+ttl;
	// it reports false when another owner holds an unexpired lease.
	AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, owner string) error
}
