package sqlite

import (
	"context"
	"database/sql"

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
	var n int
	err := s.w.do(ctx, func(tx *writeTx) error {
		n = 0
		batch, err := prunableBatch(tx, stmt, p)
		if err != nil {
			return err
		}
		for _, ex := range batch {
			for _, t := range splitTerms(sql.NullString{String: ex.terms, Valid: true}) {
				if _, err := tx.exec(wDeleteTerm, t, ex.num); err != nil {
					return err
				}
			}
			if _, err := tx.exec(wDeleteExecution, ex.num); err != nil {
				return err
			}
		}
		n = len(batch)
		if n == 0 {
			return nil
		}
		// SQLite numbers a new execution after the highest number left,
		// which may be one the term indexer's cursor has passed if this
		// batch deleted the highest: the cursor comes back to it, or the
		// new execution's terms would never be indexed.
		_, err = tx.exec(wTermsCursorDown)
		return err
	})
	return n, err
}

// pruned is an execution Prune deletes.
type pruned struct {
	num   int64
	terms string
}

func prunableBatch(tx *writeTx, stmt writeStmt, p store.Prune) ([]pruned, error) {
	rows, err := tx.query(stmt, store.MinIDAt(p.Before), p.Before.UnixNano(), p.Batch())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pruned
	for rows.Next() {
		var ex pruned
		if err := rows.Scan(&ex.num, &ex.terms); err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	return out, rows.Err()
}

// Prunable counts the executions Prune would delete.
func (s *Store) Prunable(ctx context.Context, p store.Prune) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+prunable(p.Failed)+`)`,
		store.MinIDAt(p.Before), p.Before.UnixNano()).Scan(&n)
	return n, err
}
