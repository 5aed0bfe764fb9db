package sqlite

import (
	"context"

	"github.com/cardflow/cardflow/engine/store"
)

var _ store.Pruner = (*Store)(nil)

// Prune deletes up to a batch of the executions p selects, with their
// journals and payloads, in one write. The write shares its transaction
// with whatever else is queued (group commit), so a batch is kept small:
// it holds up intake for as long as it takes.
func (s *Store) Prune(ctx context.Context, p store.Prune) (int, error) {
	stmt := wPrune
	if p.Failed {
		stmt = wPruneFailed
	}
	var n int64
	err := s.w.do(ctx, func(tx *writeTx) error {
		var err error
		n, err = tx.changed(stmt, store.MinIDAt(p.Before), p.Before.UnixNano(), p.Batch())
		return err
	})
	return int(n), err
}

// Prunable counts the executions Prune would delete.
func (s *Store) Prunable(ctx context.Context, p store.Prune) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+prunable(p.Failed)+`)`,
		store.MinIDAt(p.Before), p.Before.UnixNano()).Scan(&n)
	return n, err
}
