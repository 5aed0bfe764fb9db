package postgres

import (
	"context"

	"github.com/cardflow/cardflow/engine/store"
)

var _ store.Pruner = (*Store)(nil)

// prunable selects the executions a store.Prune deletes: of the statuses
// $1, with ids made before its time ($2, from store.MinIDAt) and ended
// before it ($3). The id bound walks executions_status on (status, id)
// instead of every ended execution, since an execution ends after its id
// is made.
const prunable = `SELECT id FROM executions WHERE status = ANY($1) AND id < $2 AND ended_at < $3`

// Prune deletes up to a batch of the executions p selects, with their
// journals by the foreign key's ON DELETE CASCADE, in one statement.
// SKIP LOCKED passes over rows a replay is reopening at that moment.
func (s *Store) Prune(ctx context.Context, p store.Prune) (int, error) {
	ct, err := s.pool.Exec(ctx, `DELETE FROM executions WHERE id IN (`+prunable+` LIMIT $4 FOR UPDATE SKIP LOCKED)`,
		statusStrings(p), store.MinIDAt(p.Before), p.Before, p.Batch())
	return int(ct.RowsAffected()), err
}

// Prunable counts the executions Prune would delete.
func (s *Store) Prunable(ctx context.Context, p store.Prune) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM (`+prunable+`) AS old`,
		statusStrings(p), store.MinIDAt(p.Before), p.Before).Scan(&n)
	return n, err
}

func statusStrings(p store.Prune) []string {
	var out []string
	for _, st := range p.Statuses() {
		out = append(out, string(st))
	}
	return out
}
