package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cardflow/cardflow/engine/store"
)

// gatedWrites append an execution's journal entries, and apply the table
// writes they carry, only while the execution ($1) is in a state: the
// writes of a Park, Reopen or Wake come first and see it in the state it
// leaves, the update of the execution last, so that one refused writes
// nothing. The state's condition may take one more parameter, the extra
// argument of queue, numbered after each statement's own ($12, $5, $4).
type gatedWrites struct{ entry, tablePut, tableDelete string }

func gatedOn(state func(next string) string) gatedWrites {
	while := func(next string) string {
		return `EXISTS (SELECT 1 FROM executions WHERE id = $1 AND ` + state(next) + `)`
	}
	return gatedWrites{
		entry: `INSERT INTO journal (` + journalColumns + `)
	SELECT $1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM journal WHERE execution_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
	WHERE ` + while("$12"),
		tablePut: `INSERT INTO table_rows (tbl, key, row) SELECT $2, $3, $4 WHERE ` + while("$5") + `
	ON CONFLICT (tbl, key) DO UPDATE SET row = excluded.row`,
		tableDelete: `DELETE FROM table_rows WHERE tbl = $2 AND key = $3 AND ` + while("$4"),
	}
}

func state(cond string) func(string) string { return func(string) string { return cond } }

var (
	whileRunning = gatedOn(state(`status = 'running'`))
	whileFinal   = gatedOn(state(`status NOT IN ('pending', 'running', 'waiting')`))
	// whileWaitingUntil: waiting until the time queue's extra argument says.
	whileWaitingUntil = gatedOn(func(next string) string { return `status = 'waiting' AND wake_at = ` + next })
)

// queue queues the entries of execution id, and their table writes, in b;
// extra is the state's parameter, if it takes one.
func (g gatedWrites) queue(b *batch, id string, entries []store.JournalEntry, extra ...any) {
	for _, en := range entries {
		b.exec(g.entry, append([]any{id, en.Card, en.Key, en.Attempt, string(en.Status), en.Input, en.Output,
			en.Error, en.ErrorKind, timeArg(en.StartedAt), timeArg(en.EndedAt)}, extra...), nil)
		for _, w := range en.Tables {
			if w.Row == nil {
				b.exec(g.tableDelete, append([]any{id, w.Table, w.Key}, extra...), nil)
			} else {
				b.exec(g.tablePut, append([]any{id, w.Table, w.Key, w.Row}, extra...), nil)
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
	if err := store.CheckEntriesOf("park", id, entries); err != nil {
		return err
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

// Cancel ends a pending or waiting execution as canceled, with reason as
// its error. A claim locks the rows it takes (FOR UPDATE SKIP LOCKED): an
// update that waits for a claim's lock then finds the execution running
// and changes nothing, and a claim never takes a row this one changed.
func (s *Store) Cancel(ctx context.Context, id, reason string) error {
	var canceled bool
	err := s.writer(id).do(ctx, func(b *batch) {
		canceled = false
		b.exec(`UPDATE executions SET status = 'canceled', error = $2, ended_at = now(), wake_at = NULL, owner = '', lease_until = NULL
			WHERE id = $1 AND status IN ('pending', 'waiting')`, []any{id, reason}, func(ct pgconn.CommandTag) error {
			canceled = ct.RowsAffected() == 1
			return nil
		})
	})
	if err != nil || canceled {
		return err
	}
	status, err := s.status(ctx, id)
	if err != nil {
		return err
	}
	return store.CancelRefusal(id, status)
}

// Wake makes a waiting execution due now, on the database's clock as
// claims read it, and appends entries, in one transaction, if it still
// waits until parkedUntil; a refused Wake appends nothing. It notifies the
// replicas' workers.
func (s *Store) Wake(ctx context.Context, id string, parkedUntil time.Time, entries ...store.JournalEntry) error {
	if err := store.CheckEntriesOf("wake", id, entries); err != nil {
		return err
	}
	var woken bool
	err := s.writer(id).do(ctx, func(b *batch) {
		woken = false
		// The row lock first, as Reopen takes it: a second Wake waits
		// here until this one commits, and then finds the wake time
		// changed and writes nothing; a claim skips the row meanwhile.
		b.exec(`SELECT 1 FROM executions WHERE id = $1 FOR UPDATE`, []any{id}, nil)
		// Gated on the wake time too: only the waits of the park the
		// caller read are cut short.
		whileWaitingUntil.queue(b, id, entries, parkedUntil)
		b.exec(`UPDATE executions SET wake_at = now() WHERE id = $1 AND status = 'waiting' AND wake_at = $2`, []any{id, parkedUntil},
			func(ct pgconn.CommandTag) error {
				woken = ct.RowsAffected() == 1
				return nil
			})
		b.notify = true
	})
	if err != nil || woken {
		return err
	}
	status, err := s.status(ctx, id)
	if err != nil {
		return err
	}
	return store.WakeRefusal(id, status)
}

// status reads an execution's status, to say why a write refused it.
func (s *Store) status(ctx context.Context, id string) (store.Status, error) {
	var status string
	if err := s.pool.QueryRow(ctx, `SELECT status FROM executions WHERE id = $1`, id).Scan(&status); err != nil {
		return "", noRows(err, "execution "+id)
	}
	return store.Status(status), nil
}
