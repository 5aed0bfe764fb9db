package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cardflow/cardflow/engine/store"
)

var _ store.ActivityReader = (*Store)(nil)

// Activity counts the executions enqueued since since by interval and
// status. The id bound walks only the recent part of the primary key.
func (s *Store) Activity(ctx context.Context, since time.Time, step time.Duration) ([]store.ActivityCount, error) {
	ms := max(step.Milliseconds(), 1)
	rows, err := s.pool.Query(ctx, `SELECT (floor(extract(epoch FROM received_at) * 1000 / $1) * $1)::bigint, status, count(*)
		FROM executions WHERE id >= $2 GROUP BY 1, 2 ORDER BY 1, 2`, ms, store.IDAt(since))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.ActivityCount, error) {
		var (
			start  int64
			status string
			c      store.ActivityCount
		)
		err := row.Scan(&start, &status, &c.Count)
		c.Start, c.Status = time.UnixMilli(start).UTC(), store.Status(status)
		return c, err
	})
}
