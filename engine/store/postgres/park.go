package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cardflow/cardflow/engine/store"
)

// gatedWrites append an execution's journal entries, and apply the table
// writes they carry, only while the execution ($1) is in a state: the
// writes of a Park or Reopen come first and see it in the state it leaves,
// the update of the execution last, so that one refused writes nothing.
type gatedWrites struct{ entry, tablePut, tableDelete string }

func gatedOn(state string) gatedWrites {
	while := `EXISTS (SELECT 1 FROM executions WHERE id = $1 AND ` + state + `)`
	return gatedWrites{
		entry: `INSERT INTO journal (` + journalColumns + `)
	SELECT $1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM journal WHERE execution_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
	WHERE ` + while,
		tablePut: `INSERT INTO table_rows (tbl, key, row) SELECT $2, $3, $4 WHERE ` + while + `
	ON CONFLICT (tbl, key) DO UPDATE SET row = excluded.row`,
		tableDelete: `DELETE FROM table_rows WHERE tbl = $2 AND key = $3 AND ` + while,
	}
}

var (
	whileRunning = gatedOn(`status = 'running'`)
	whileFinal   = gatedOn(`status NOT IN ('pending', 'running', 'waiting')`)
)

// queue queues the entries of execution id, and their table writes, in b.
func (g gatedWrites) queue(b *batch, id string, entries []store.JournalEntry) {
	for _, en := range entries {
		b.exec(g.entry, []any{id, en.Card, en.Key, en.Attempt, string(en.Status), en.Input, en.Output,
			en.Error, en.ErrorKind, timeArg(en.StartedAt), timeArg(en.EndedAt)}, nil)
		for _, w := range en.Tables {
			if w.Row == nil {
				b.exec(g.tableDelete, []any{id, w.Table, w.Key}, nil)
			} else {
				b.exec(g.tablePut, []any{id, w.Table, w.Key, w.Row}, nil)
			}
		}
	}
}

// Parking is a release until a time: it takes back its claim too.
const parkExecution = `UPDATE executions SET status = 'waiting', owner = '', lease_until = NULL,
	claims = GREATEST(claims - 1, 0), wake_at = $2 WHERE id = $1 AND status = 'running'`

// Park sets a running execution waiting until wake and appends entries, in
// one transaction; an execution that is not running is left as it is.
func (s *Store) Park(ctx context.Context, id string, wake time.Time, entries ...store.JournalEntry) error {
	for _, en := range entries {
		if en.ExecutionID != id {
			return fmt.Errorf("park %s: a journal entry of execution %s", id, en.ExecutionID)
		}
	}
	return s.writer(id).do(ctx, func(b *batch) {
		whileRunning.queue(b, id, entries)
		b.exec(parkExecution, []any{id, wake}, func(ct pgconn.CommandTag) error {
			if ct.RowsAffected() == 0 {
				return keep(notFound("park " + id + ": running execution"))
			}
			return nil
		})
	})
}
