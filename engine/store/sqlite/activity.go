package sqlite

import (
	"context"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

var _ store.ActivityReader = (*Store)(nil)

// Activity counts the executions enqueued since since by interval and
// status. The id bound walks only the recent part of the primary key.
func (s *Store) Activity(ctx context.Context, since time.Time, step time.Duration) ([]store.ActivityCount, error) {
	ms := step.Milliseconds()
	if ms <= 0 {
		ms = 1
	}
	// The first ten characters of an id after "ex_" are its milliseconds
	// in Crockford base 32; received_at is as good and is a number.
	rows, err := s.rdb.QueryContext(ctx, `SELECT (received_at / 1000000 / ?) * ?, status, COUNT(*) FROM executions
		WHERE id >= ? GROUP BY 1, 2 ORDER BY 1, 2`, ms, ms, store.IDAt(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ActivityCount
	for rows.Next() {
		var (
			start  int64
			status string
			c      store.ActivityCount
		)
		if err := rows.Scan(&start, &status, &c.Count); err != nil {
			return nil, err
		}
		c.Start, c.Status = time.UnixMilli(start).UTC(), store.Status(status)
		out = append(out, c)
	}
	return out, rows.Err()
}
