package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cardflow/cardflow/engine/store"
)

// Each statement of a Park writes only while the execution is running, so
// that a Park of an execution that is not writes nothing: the journal's and
// tables' statements come first and see it running, the update last.
const (
	whileRunning = ` WHERE EXISTS (SELECT 1 FROM executions WHERE id = $1 AND status = 'running')`
	parkEntry    = `INSERT INTO journal (` + journalColumns + `)
	SELECT $1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM journal WHERE execution_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11` + whileRunning
	parkTablePut = `INSERT INTO table_rows (tbl, key, row) SELECT $2, $3, $4` + whileRunning + `
	ON CONFLICT (tbl, key) DO UPDATE SET row = excluded.row`
	parkTableDelete = `DELETE FROM table_rows WHERE tbl = $2 AND key = $3 AND EXISTS (SELECT 1 FROM executions WHERE id = $1 AND status = 'running')`
	// Parking is a release until a time: it takes back its claim too.
	parkExecution = `UPDATE executions SET status = 'waiting', owner = '', lease_until = NULL,
		claims = GREATEST(claims - 1, 0), wake_at = $2 WHERE id = $1 AND status = 'running'`
)

// Park sets a running execution waiting until wake and appends entries, in
// one transaction; an execution that is not running is left as it is.
func (s *Store) Park(ctx context.Context, id string, wake time.Time, entries ...store.JournalEntry) error {
	for _, en := range entries {
		if en.ExecutionID != id {
			return fmt.Errorf("park %s: a journal entry of execution %s", id, en.ExecutionID)
		}
	}
	return s.writer(id).do(ctx, func(b *batch) {
		for _, en := range entries {
			b.exec(parkEntry, []any{id, en.Card, en.Key, en.Attempt, string(en.Status), en.Input, en.Output,
				en.Error, en.ErrorKind, timeArg(en.StartedAt), timeArg(en.EndedAt)}, nil)
			for _, w := range en.Tables {
				if w.Row == nil {
					b.exec(parkTableDelete, []any{id, w.Table, w.Key}, nil)
				} else {
					b.exec(parkTablePut, []any{id, w.Table, w.Key, w.Row}, nil)
				}
			}
		}
		b.exec(parkExecution, []any{id, wake}, func(ct pgconn.CommandTag) error {
			if ct.RowsAffected() == 0 {
				return keep(notFound("park " + id + ": running execution"))
			}
			return nil
		})
	})
}
