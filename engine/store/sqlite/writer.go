package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/cardflow/cardflow/engine/store/internal/groupcommit"
)

// errClosed is returned by calls on a closed store.
var errClosed = errors.New("sqlite store: closed")

// writeFunc is one caller's write. It runs on the writer goroutine inside
// the batch's transaction and reports through the variables it closes over.
// It returns nil, or keep(err) when err is for its caller but the rows it
// wrote (if any) are consistent and may commit; any other error rolls the
// batch back and every write in it is retried in a transaction of its own.
type writeFunc func(tx *writeTx) error

// keepError is an error that does not undo the write that returned it.
type keepError struct{ err error }

func (k keepError) Error() string { return k.err.Error() }

// keep marks err as one that leaves the transaction committable: the write
// found nothing to do (an unknown id) or did part of its job on purpose
// (Renew of some lost leases).
func keep(err error) error { return keepError{err} }

// request is one caller's write waiting for its batch.
type request = groupcommit.Request[writeFunc]

// writer owns the only write connection and commits the requests queued on
// it in batches (group commit): one transaction, one WAL sync, for however
// many writes arrived while the previous batch committed.
type writer struct {
	// turn is held while a batch runs; the checkpointer takes it to run
	// a RESTART checkpoint between two batches.
	turn       *sync.Mutex
	tx         writeTx
	committed  func() // called after each commit
	rolledBack func() // called after each rollback
	q          *groupcommit.Queue[writeFunc]

	// batches and writes count transactions committed and the writes in
	// them: their ratio is the batching group commit achieves.
	batches, writes atomic.Int64
	// splits counts batches rolled back and run again write by write.
	splits atomic.Int64
}

func newWriter(tx writeTx, maxBatch int, turn *sync.Mutex, committed, rolledBack func()) *writer {
	w := &writer{turn: turn, tx: tx, committed: committed, rolledBack: rolledBack}
	w.q = groupcommit.New(maxBatch, errClosed, w.commitInTurn)
	return w
}

// commitInTurn commits batch in the writer's turn.
func (w *writer) commitInTurn(batch []*request) {
	w.turn.Lock()
	defer w.turn.Unlock()
	w.commit(batch)
}

// do queues fn and waits until the transaction holding it has committed (or
// failed). When ctx ends before the writer starts fn, do returns
// ctx.Err() and fn is never run; once started, do waits for its outcome.
// A store opened ReadOnly has no writer: its writes fail with ErrReadOnly.
func (w *writer) do(ctx context.Context, fn writeFunc) error {
	if w == nil {
		return ErrReadOnly
	}
	return w.q.Do(ctx, fn)
}

// close stops taking requests, commits those already queued and waits for
// the writer goroutine to end.
func (w *writer) close() { w.q.Close() }

// commit runs batch in one transaction and answers every request. If a
// write fails in a way that spoils the transaction, each write is run again
// alone so that one caller's failure is nobody else's.
func (w *writer) commit(batch []*request) {
	errs := make([]error, len(batch))
	err := w.tx.begin()
	if err == nil {
		for i, r := range batch {
			if errs[i] = w.apply(r); errs[i] != nil && !isKeep(errs[i]) {
				err = errs[i]
				break
			}
		}
	}
	if err == nil {
		err = w.tx.commit()
	}
	switch {
	case err == nil:
		w.batches.Add(1)
		w.writes.Add(int64(len(batch)))
		w.committed()
		for i, r := range batch {
			r.Done(unkeep(errs[i]))
		}
	case len(batch) == 1:
		w.tx.rollback()
		w.rolledBack()
		batch[0].Done(unkeep(err))
	default:
		w.tx.rollback()
		w.rolledBack()
		w.splits.Add(1)
		for _, r := range batch {
			r.Requeue() // rolled back: its caller may still give up
		}
		for _, r := range batch {
			w.commit([]*request{r})
		}
	}
}

// apply runs one request's write unless its caller has already given up.
func (w *writer) apply(r *request) error {
	if !r.Start() {
		return keep(r.Ctx.Err()) // nothing written; nobody waits
	}
	return r.Fn(&w.tx)
}

func isKeep(err error) bool {
	_, ok := err.(keepError)
	return ok
}

func unkeep(err error) error {
	if k, ok := err.(keepError); ok {
		return k.err
	}
	return err
}

// writeTx is the write connection with its prepared statements; writeFuncs
// use it only on the writer goroutine, inside a transaction.
type writeTx struct {
	conn  *sql.Conn
	stmts [numWriteStmts]*sql.Stmt
}

func (t *writeTx) begin() error {
	_, err := t.exec(wBegin)
	return err
}

func (t *writeTx) commit() error {
	_, err := t.exec(wCommit)
	return err
}

// rollback ends the transaction, if one is still open; see rollback.
func (t *writeTx) rollback() { _, _ = t.exec(wRollback) }

func (t *writeTx) exec(id writeStmt, args ...any) (sql.Result, error) {
	return t.stmts[id].ExecContext(context.Background(), args...)
}

// changed runs a statement and returns how many rows it changed.
func (t *writeTx) changed(id writeStmt, args ...any) (int64, error) {
	res, err := t.exec(id, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *writeTx) query(id writeStmt, args ...any) (*sql.Rows, error) {
	return t.stmts[id].QueryContext(context.Background(), args...)
}

func (t *writeTx) queryRow(id writeStmt, args ...any) *sql.Row {
	return t.stmts[id].QueryRowContext(context.Background(), args...)
}
