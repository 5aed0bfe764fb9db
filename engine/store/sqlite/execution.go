package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// defaultLimit is the number of executions Executions returns when the
// filter does not say.
const defaultLimit = 50

// Pin records the definition hash an execution runs on.
func (s *Store) Pin(ctx context.Context, id, definitionHash string) error {
	return s.w.do(ctx, func(tx *writeTx) error {
		n, err := tx.changed(wPin, definitionHash, id)
		if err == nil && n == 0 {
			return keep(notFound("execution " + id))
		}
		return err
	})
}

// Append adds journal entries, numbering them after the execution's last
// entry, all in one transaction: an entry for an unknown execution fails
// the whole call with store.ErrNotFound.
func (s *Store) Append(ctx context.Context, entries ...store.JournalEntry) error {
	if len(entries) == 0 {
		return nil
	}
	entries = packEntries(entries)
	return s.w.do(ctx, func(tx *writeTx) error { return s.appendEntries(tx, entries) })
}

func (s *Store) appendEntries(tx *writeTx, entries []store.JournalEntry) error {
	for i := range entries {
		en := &entries[i]
		err := s.appendEntry(tx, en)
		if isForeignKey(err) || isNotNull(err) {
			err = notFound("execution " + en.ExecutionID)
			if i == 0 {
				return keep(err) // the failed statement wrote nothing
			}
		}
		if err != nil {
			return err
		}
		for _, w := range en.Tables {
			if err := tableWrite(tx, w); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendEntry inserts en with the seq after its execution's last: the one
// seqs knows, or else the one the statement looks up.
func (s *Store) appendEntry(tx *writeTx, en *store.JournalEntry) error {
	if next, ok := s.seqs[en.ExecutionID]; ok {
		_, err := tx.exec(wAppendSeq, next.num, int64(next.seq), en.Card, textArg(en.Key), int64(en.Attempt), string(en.Status),
			en.Input, en.Output, textArg(en.Error), textArg(en.ErrorKind), timeArg(en.StartedAt), timeArg(en.EndedAt))
		if err == nil {
			s.seqs[en.ExecutionID] = nextSeq{num: next.num, seq: next.seq + 1}
			return nil
		}
		delete(s.seqs, en.ExecutionID)
		if !isPrimaryKey(err) {
			return err
		}
		// Another store appended meanwhile: the failed statement wrote
		// nothing, and the lookup finds the seq after its entries.
	}
	_, err := tx.exec(wAppend, en.ExecutionID, en.ExecutionID, en.Card, textArg(en.Key), int64(en.Attempt), string(en.Status),
		en.Input, en.Output, textArg(en.Error), textArg(en.ErrorKind), timeArg(en.StartedAt), timeArg(en.EndedAt))
	return err
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
	output, entries = pack(output), packEntries(entries)
	return s.w.do(ctx, func(tx *writeTx) error {
		n, err := s.finish(tx, id, string(status), output, textArg(errMsg), time.Now().UnixNano())
		if err == nil && n == 0 {
			return keep(notFound("execution " + id)) // nothing written
		}
		if err != nil {
			return err
		}
		// All or nothing: no entry error may keep the finished status.
		err = unkeep(s.appendEntries(tx, entries))
		delete(s.seqs, id) // it runs no more
		return err
	})
}

// finish sets execution id's final status and returns how many rows it
// changed: by the number the store knows if it claimed the execution (see
// Store.seqs), else by id, which costs a lookup in the ids' index.
func (s *Store) finish(tx *writeTx, id, status string, output []byte, errMsg any, now int64) (int64, error) {
	if next, ok := s.seqs[id]; ok {
		n, err := tx.changed(wFinishNum, status, output, errMsg, now, next.num, id)
		if err != nil || n == 1 {
			return n, err
		}
	}
	return tx.changed(wFinish, status, output, errMsg, now, id)
}

// Reopen sets a final execution back to pending for a replay and appends
// entries, in one transaction; its journal stays so the replay can resume
// after the last good card. A refused Reopen appends nothing.
func (s *Store) Reopen(ctx context.Context, id string, entries ...store.JournalEntry) error {
	if err := store.CheckEntriesOf("reopen", id, entries); err != nil {
		return err
	}
	entries = packEntries(entries)
	return s.w.do(ctx, func(tx *writeTx) error {
		n, err := tx.changed(wReopen, id)
		if err != nil {
			return err
		}
		if n == 1 {
			// All or nothing: no entry error may keep the reopened status.
			return unkeep(s.appendEntries(tx, entries))
		}
		var status string
		if err := tx.queryRow(wStatus, id).Scan(&status); err != nil {
			return keep(noRows(err, "execution "+id))
		}
		return keep(fmt.Errorf("execution %s is %s: %w", id, status, store.ErrNotFinished))
	})
}

// Cancel ends a pending or waiting execution as canceled, with reason as
// its error, in one transaction on the write connection that claims run
// on: a claim either took it first (and it is refused as running) or never
// will.
func (s *Store) Cancel(ctx context.Context, id, reason string) error {
	return s.w.do(ctx, func(tx *writeTx) error {
		n, err := tx.changed(wCancel, reason, time.Now().UnixNano(), id)
		if err != nil || n == 1 {
			return err
		}
		var status string
		if err := tx.queryRow(wStatus, id).Scan(&status); err != nil {
			return keep(noRows(err, "execution "+id))
		}
		return keep(store.CancelRefusal(id, store.Status(status)))
	})
}

// Wake makes a waiting execution due now and appends entries, in one
// transaction, if it still waits until parkedUntil; a refused Wake appends
// nothing. The next claim looks for due waiting executions.
func (s *Store) Wake(ctx context.Context, id string, parkedUntil time.Time, entries ...store.JournalEntry) error {
	if err := store.CheckEntriesOf("wake", id, entries); err != nil {
		return err
	}
	entries = packEntries(entries)
	return s.w.do(ctx, func(tx *writeTx) error {
		now := time.Now()
		n, err := tx.changed(wWake, now.UnixNano(), id, parkedUntil.UnixNano())
		if err != nil {
			return err
		}
		if n == 1 {
			s.parked(now)
			// All or nothing, as Reopen.
			return unkeep(s.appendEntries(tx, entries))
		}
		var status string
		if err := tx.queryRow(wStatus, id).Scan(&status); err != nil {
			return keep(noRows(err, "execution "+id))
		}
		return keep(store.WakeRefusal(id, store.Status(status)))
	})
}

// Execution returns one execution, or store.ErrNotFound.
func (s *Store) Execution(ctx context.Context, id string) (*store.Execution, error) {
	var terms sql.NullString
	e, err := scanExecution(s.read(rExecution).QueryRowContext(ctx, id), &terms)
	if err == nil {
		e.Terms = splitTerms(terms)
	}
	return e, noRows(err, "execution "+id)
}

// Journal returns an execution's entries in Seq order; store.ErrNotFound
// when the execution does not exist.
func (s *Store) Journal(ctx context.Context, id string) ([]store.JournalEntry, error) {
	rows, err := s.read(rJournal).QueryContext(ctx, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.JournalEntry
	for rows.Next() {
		en, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, en)
	}
	if err := rows.Err(); err != nil || len(out) > 0 {
		return out, err
	}
	// No entries: an execution yet to journal, or none at all.
	var exists bool
	if err := s.read(rExists).QueryRowContext(ctx, id).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		return nil, notFound("execution " + id)
	}
	return out, nil
}

// Executions returns the executions matching f, newest first.
func (s *Store) Executions(ctx context.Context, f store.Filter) ([]*store.Execution, error) {
	q, args := executionsQuery(f)
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*store.Execution
	var terms sql.NullString
	for rows.Next() {
		e, err := scanExecution(rows, &terms)
		if err != nil {
			return nil, err
		}
		e.Terms = splitTerms(terms)
		out = append(out, e)
	}
	return out, rows.Err()
}

// splitTerms reads termsColumn.
func splitTerms(s sql.NullString) []string {
	if !s.Valid || s.String == "" {
		return nil
	}
	return strings.Split(s.String, "\n")
}

// executionsQuery is the statement and arguments of Executions(f).
func executionsQuery(f store.Filter) (string, []any) {
	var (
		where []string
		args  []any
	)
	if f.Flow != "" {
		where, args = append(where, "flow = ?"), append(args, f.Flow)
	}
	switch f.Status {
	case "":
	case store.Pending, store.Running:
		// A literal, not a parameter, and the index's condition: only then
		// may SQLite use the partial index that holds the status.
		where = append(where, live, "status = '"+string(f.Status)+"'")
	case store.Succeeded, store.Failed, store.Halted, store.Filtered, store.Canceled:
		where = append(where, ended, "status = '"+string(f.Status)+"'")
	default:
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if !f.Since.IsZero() {
		// An execution is enqueued after it is received, so its id is at
		// least IDAt(received_at): the bound lets the primary key skip
		// older history.
		where, args = append(where, "received_at >= ?", "id >= ?"), append(args, f.Since.UnixNano(), store.IDAt(f.Since))
	}
	if f.Before != "" {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	from := executionsWithPayload
	if f.Text != "" {
		// The matching terms' executions first (the primary key finds a
		// prefix), then their rows: a rare term costs a few lookups instead
		// of a walk through all of history. Executions whose terms the
		// indexer has not reached yet are found by their row's terms, one
		// a line: a term starts with the text where a line does. Both
		// name executions by number (see migration 0009); a page's bound,
		// an id, is the outer query's.
		lo, hi := store.TermRange(f.Text)
		sub := "SELECT execution_num FROM execution_terms WHERE term >= ? AND term < ? UNION" +
			" SELECT num FROM executions WHERE num > (SELECT num FROM terms_cursor)" +
			" AND instr(char(10) || executions.terms, char(10) || ?) > 0"
		from = "(" + sub + ") AS matched CROSS JOIN executions ON executions.num = matched.execution_num" +
			" LEFT JOIN payloads ON payloads.execution_num = executions.num"
		args = append([]any{lo, hi, lo}, args...)
	}
	q := "SELECT " + executionColumns + ", " + termsColumn + " FROM " + from
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	return q + " ORDER BY id DESC LIMIT ?", append(args, limit)
}
