package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cardflow/cardflow/engine/store"
)

// defaultLimit is the number of executions Executions returns when the
// filter does not say.
const defaultLimit = 50

// Pin records the definition hash an execution runs on.
func (s *Store) Pin(ctx context.Context, id, definitionHash string) error {
	return s.writer(id).do(ctx, func(b *batch) {
		b.exec(`UPDATE executions SET definition_hash = $2 WHERE id = $1`, []any{id, definitionHash}, changedOne(id))
	})
}

// changedOne reads a command tag: no row changed means no such execution.
func changedOne(id string) func(pgconn.CommandTag) error {
	return func(ct pgconn.CommandTag) error {
		if ct.RowsAffected() == 0 {
			return keep(notFound("execution " + id))
		}
		return nil
	}
}

// appendEntry numbers the entry after the execution's last one. A
// replica's appends to one execution go through one writer, and only the
// replica holding an execution's lease appends to it, so two transactions
// never number the same execution at once; if a replica that lost its
// lease still does, the primary key refuses the second. The foreign key refuses an unknown
// execution, which aborts the whole Append.
const appendEntry = `INSERT INTO journal (` + journalColumns + `)
	VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM journal WHERE execution_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`

// Append adds journal entries, numbering them after the execution's last
// entry, all in one transaction: an entry for an unknown execution fails
// the whole call with store.ErrNotFound.
func (s *Store) Append(ctx context.Context, entries ...store.JournalEntry) error {
	if len(entries) == 0 {
		return nil
	}
	err := s.writer(entries[0].ExecutionID).do(ctx, func(b *batch) { appendEntries(b, entries) })
	if isForeignKey(err) {
		return fmt.Errorf("append: %w: %w", store.ErrNotFound, err)
	}
	return err
}

// appendEntries queues the entries, and the table writes they carry, in b.
func appendEntries(b *batch, entries []store.JournalEntry) {
	for _, en := range entries {
		b.exec(appendEntry, []any{en.ExecutionID, en.Card, en.Key, en.Attempt, string(en.Status), en.Input, en.Output,
			en.Error, en.ErrorKind, timeArg(en.StartedAt), timeArg(en.EndedAt)}, nil)
		for _, w := range en.Tables {
			if w.Row == nil {
				b.exec(tableDelete, []any{w.Table, w.Key}, nil)
			} else {
				b.exec(tablePut, []any{w.Table, w.Key, w.Row}, nil)
			}
		}
	}
}

// Finish appends entries, sets a final status, output and error, and ends
// the claim, in one transaction.
func (s *Store) Finish(ctx context.Context, id string, status store.Status, output []byte, errMsg string, entries ...store.JournalEntry) error {
	if !status.Final() {
		return fmt.Errorf("finish %s: status %q is not final", id, status)
	}
	if err := store.CheckEntriesOf("finish", id, entries); err != nil {
		return err
	}
	err := s.writer(id).do(ctx, func(b *batch) {
		// The entries first: for an unknown execution the foreign key
		// refuses the first one, which undoes the whole write.
		appendEntries(b, entries)
		b.exec(`UPDATE executions SET status = $2, output = $3, error = $4, owner = '', lease_until = NULL, ended_at = now()
			WHERE id = $1`, []any{id, string(status), output, errMsg}, changedOne(id))
	})
	if isForeignKey(err) {
		return fmt.Errorf("finish: %w: %w", store.ErrNotFound, err)
	}
	return err
}

// Reopen sets a final execution back to pending for a replay and appends
// entries, in one transaction; its journal stays so the replay can resume
// after the last good card. A refused Reopen appends nothing.
func (s *Store) Reopen(ctx context.Context, id string, entries ...store.JournalEntry) error {
	if err := store.CheckEntriesOf("reopen", id, entries); err != nil {
		return err
	}
	var reopened bool
	err := s.writer(id).do(ctx, func(b *batch) {
		reopened = false
		if len(entries) > 0 {
			// The row lock first: a Reopen of the same execution by
			// another replica waits here until this one commits, and
			// then its gated writes see the execution pending and write
			// nothing.
			b.exec(`SELECT 1 FROM executions WHERE id = $1 FOR UPDATE`, []any{id}, nil)
			whileFinal.queue(b, id, entries)
		}
		b.exec(`UPDATE executions SET status = 'pending', output = NULL, error = '', ended_at = NULL
			WHERE id = $1 AND status NOT IN ('pending', 'running', 'waiting')`, []any{id}, func(ct pgconn.CommandTag) error {
			reopened = ct.RowsAffected() == 1
			return nil
		})
		b.notify = true
	})
	if err != nil || reopened {
		return err
	}
	var status string
	if err := s.pool.QueryRow(ctx, `SELECT status FROM executions WHERE id = $1`, id).Scan(&status); err != nil {
		return noRows(err, "execution "+id)
	}
	return fmt.Errorf("execution %s is %s: %w", id, status, store.ErrNotFinished)
}

// Execution returns one execution, or store.ErrNotFound.
func (s *Store) Execution(ctx context.Context, id string) (*store.Execution, error) {
	var terms []string
	e, err := scanExecution(s.pool.QueryRow(ctx, `SELECT `+executionColumns+`, `+termsColumn+` FROM executions WHERE id = $1`, id), &terms)
	if err == nil && len(terms) > 0 {
		e.Terms = terms
	}
	return e, noRows(err, "execution "+id)
}

// Journal returns an execution's entries in Seq order; store.ErrNotFound
// when the execution does not exist.
func (s *Store) Journal(ctx context.Context, id string) ([]store.JournalEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+journalColumns+` FROM journal WHERE execution_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.JournalEntry, error) {
		return scanEntry(row)
	})
	if err != nil || len(out) > 0 {
		return out, err
	}
	// No entries: an execution yet to journal, or none at all.
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM executions WHERE id = $1)`, id).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		return nil, notFound("execution " + id)
	}
	return out, nil
}

// Executions returns the executions matching f, newest first.
func (s *Store) Executions(ctx context.Context, f store.Filter) ([]*store.Execution, error) {
	var (
		where []string
		args  []any
	)
	arg := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Flow != "" {
		arg("flow = ?", f.Flow)
	}
	if f.Status != "" {
		arg("status = ?", string(f.Status))
	}
	if !f.Since.IsZero() {
		arg("received_at >= ?", f.Since)
		arg("id >= ?", store.IDAt(f.Since)) // enqueued after received: see the SQLite store
	}
	if f.Before != "" {
		arg("id < ?", f.Before)
	}
	if f.Text != "" {
		lo, hi := store.TermRange(f.Text)
		arg("id IN (SELECT execution_id FROM execution_terms WHERE term >= ?", lo)
		where[len(where)-1] += strings.ReplaceAll(" AND term < ?)", "?", "$"+strconv.Itoa(len(args)+1))
		args = append(args, hi)
	}
	q := "SELECT " + executionColumns + ", " + termsColumn + " FROM executions"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	args = append(args, limit)
	rows, err := s.pool.Query(ctx, q+" ORDER BY id DESC LIMIT $"+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.Execution, error) {
		var terms []string
		e, err := scanExecution(row, &terms)
		if err == nil && len(terms) > 0 {
			e.Terms = terms
		}
		return e, err
	})
}
