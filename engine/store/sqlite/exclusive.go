package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// lockPath is the file whose lock makes a store exclusive: beside the
// database, since SQLite's own locks are per transaction.
func lockPath(dbPath string) string { return dbPath + ".lock" }

// errLocked is lockFile's answer when another process holds the lock.
var errLocked = errors.New("locked by another process")

// takeLock takes the exclusive lock on the database at path, failing when
// another process holds it. Where the system has no such lock, it takes
// none (s.lock stays nil) and the store is shared as before.
func (s *Store) takeLock(path string) error {
	f, err := lockFile(lockPath(path))
	switch {
	case errors.Is(err, errLocked):
		return fmt.Errorf("sqlite store: %s is in use by another cardflow run; a SQLite store serves one process, use PostgreSQL for several", path)
	case err != nil:
		return fmt.Errorf("sqlite store: locking %s: %w", path, err)
	}
	s.lock = f
	return nil
}

// takeOver ends the leases left by processes that died: with the lock
// held, nothing else runs executions or pollers on this file, so an
// execution still marked running has no live owner and is claimed again
// at once instead of after its lease, and a poller starts at once.
func (s *Store) takeOver(ctx context.Context) error {
	now := time.Now().UnixNano()
	return s.w.do(ctx, func(tx *writeTx) error {
		if _, err := tx.conn.ExecContext(ctx, `UPDATE executions SET lease_until = ? WHERE `+live+` AND status = 'running' AND lease_until > ?`, now, now); err != nil {
			return err
		}
		_, err := tx.conn.ExecContext(ctx, `UPDATE leases SET until = ? WHERE until > ?`, now, now)
		return err
	})
}

// unlock releases the lock taken by takeLock, if any.
func (s *Store) unlock() error {
	if s.lock == nil {
		return nil
	}
	err := s.lock.Close() // closing the descriptor releases the lock
	s.lock = nil
	return err
}
