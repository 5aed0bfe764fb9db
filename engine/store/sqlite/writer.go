package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
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

type request struct {
	ctx  context.Context
	fn   writeFunc
	done chan error // buffered: the writer never waits for the caller
}

// writer owns the only write connection and commits the requests queued on
// it in batches (group commit): one transaction, one WAL sync, for however
// many writes arrived while the previous batch committed.
type writer struct {
	tx        writeTx
	maxBatch  int
	committed func() // called after each commit
	reqs      chan *request

	// batches and writes count transactions committed and the writes in
	// them: their ratio is the batching group commit achieves.
	batches, writes atomic.Int64
	// splits counts batches rolled back and run again write by write.
	splits atomic.Int64

	mu     sync.RWMutex // held for reading while sending on reqs
	closed bool
	quit   chan struct{}
	exited chan struct{}
}

func newWriter(tx writeTx, maxBatch int, committed func()) *writer {
	w := &writer{
		tx:        tx,
		maxBatch:  maxBatch,
		committed: committed,
		reqs:      make(chan *request, maxBatch),
		quit:      make(chan struct{}),
		exited:    make(chan struct{}),
	}
	go w.run()
	return w
}

// do queues fn and waits until the transaction holding it has committed (or
// failed). When ctx ends first do returns ctx.Err(), and the write may or
// may not have been committed.
func (w *writer) do(ctx context.Context, fn writeFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{ctx: ctx, fn: fn, done: make(chan error, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return errClosed
	}
	select {
	case w.reqs <- r:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops taking requests, commits those already queued and waits for
// the writer goroutine to end.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.quit)
	}
	w.mu.Unlock()
	<-w.exited
}

func (w *writer) run() {
	defer close(w.exited)
	batch := make([]*request, 0, w.maxBatch)
	for {
		var first *request
		select {
		case first = <-w.reqs:
		case <-w.quit:
			// No sender is left (close holds the lock they send under);
			// commit what they queued, then stop.
			select {
			case first = <-w.reqs:
			default:
				return
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < w.maxBatch {
			select {
			case r := <-w.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		w.commit(batch)
		clear(batch) // let the requests go
		// The callers just answered are runnable but, on a busy machine,
		// not yet running. Yielding lets them queue their next writes, so
		// the next batch is larger and the commit cost is shared wider.
		runtime.Gosched()
	}
}

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
			r.done <- unkeep(errs[i])
		}
	case len(batch) == 1:
		w.tx.rollback()
		batch[0].done <- unkeep(err)
	default:
		w.tx.rollback()
		w.splits.Add(1)
		for _, r := range batch {
			w.commit([]*request{r})
		}
	}
}

// apply runs one request's write unless its caller has already given up.
func (w *writer) apply(r *request) error {
	if err := r.ctx.Err(); err != nil {
		return keep(err) // nothing written
	}
	return r.fn(&w.tx)
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
