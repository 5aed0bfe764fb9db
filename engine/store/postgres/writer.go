package postgres

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cardflow/cardflow/engine/store/internal/groupcommit"
)

// groupTimeout bounds one group's round trip, so that a database that stops
// answering fails the writes instead of hanging them.
const groupTimeout = 30 * time.Second

// writeFunc is one caller's write: it queues its statements on b, each with
// a function that reads the statement's result. It runs on the writer
// goroutine and again, on a fresh batch, if its group is retried, so it
// resets whatever its readers fill in.
type writeFunc func(b *batch)

// batch is the statements of one group, sent as one pipelined pgx.Batch:
// PostgreSQL runs them as one implicit transaction, committed at the end.
type batch struct {
	pgx.Batch
	reads []func(br pgx.BatchResults) error
	owner []int // index of the request each statement belongs to
	cur   int
	// notify asks for a NOTIFY on the store's channel once the group has
	// committed: it made executions pending.
	notify bool
}

// exec queues a statement whose command tag fn reads. fn returns nil or
// keep(err): an error for its caller that does not spoil the transaction.
func (b *batch) exec(sql string, args []any, fn func(pgconn.CommandTag) error) {
	b.Queue(sql, args...)
	b.owner = append(b.owner, b.cur)
	b.reads = append(b.reads, func(br pgx.BatchResults) error {
		ct, err := br.Exec()
		if err != nil || fn == nil {
			return err
		}
		return fn(ct)
	})
}

// query queues a statement whose rows fn reads one by one.
func (b *batch) query(sql string, args []any, fn func(pgx.Rows) error) {
	b.Queue(sql, args...)
	b.owner = append(b.owner, b.cur)
	b.reads = append(b.reads, func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// keepError is an error for one caller that leaves the group committable.
type keepError struct{ err error }

func (k keepError) Error() string { return k.err.Error() }

// keep marks err as one that does not undo the write: the write found
// nothing to do (an unknown id) or did part of its job on purpose.
func keep(err error) error { return keepError{err} }

func unkeep(err error) error {
	if k, ok := err.(keepError); ok {
		return k.err
	}
	return err
}

// request is one caller's write waiting for its group.
type request = groupcommit.Request[writeFunc]

// writer commits the requests queued on it in groups (group commit): one
// round trip, one transaction, one WAL flush for however many writes
// arrived while the previous group committed.
type writer struct {
	pool     *pgxpool.Pool
	announce func() // after a group that asked for a NOTIFY
	q        *groupcommit.Queue[writeFunc]

	// groups and writes count transactions committed and the writes in
	// them: their ratio is the batching group commit achieves.
	groups, writes atomic.Int64
}

func newWriter(pool *pgxpool.Pool, announce func(), maxBatch int) *writer {
	w := &writer{pool: pool, announce: announce}
	w.q = groupcommit.New(maxBatch, errClosed, w.commit)
	return w
}

// do queues fn and waits until the transaction holding it has committed
// (or failed). When ctx ends before the writer starts fn, do returns
// ctx.Err() and fn is never run; once started, do waits for its outcome.
func (w *writer) do(ctx context.Context, fn writeFunc) error { return w.q.Do(ctx, fn) }

// close stops taking requests, commits those already queued and waits for
// the writer goroutine to end.
func (w *writer) close() { w.q.Close() }

// commit runs group in one transaction and answers every request. If a
// statement fails, which aborts the transaction, each request is run again
// alone so that one caller's failure is nobody else's.
func (w *writer) commit(group []*request) {
	live := group[:0:0]
	for _, r := range group {
		if !r.Start() {
			continue // given up: nothing written, nobody waits
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	errs, notify, err := w.send(live)
	switch {
	case err == nil:
		w.groups.Add(1)
		w.writes.Add(int64(len(live)))
		if notify {
			w.announce()
		}
		for i, r := range live {
			r.Done(unkeep(errs[i]))
		}
	case len(live) == 1:
		live[0].Done(err)
	default:
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			// A statement failed and the database aborted the
			// transaction: nothing of it was made, so the callers may
			// still give up. After a timeout or a lost connection the
			// commit may have happened: they wait for the retries.
			for _, r := range live {
				r.Requeue()
			}
		}
		for _, r := range live {
			w.commit([]*request{r})
		}
	}
}

// send sends the requests' statements as one batch and reads every result.
// It returns each request's kept error and whether one asked for a NOTIFY,
// or the error that aborted the transaction.
func (w *writer) send(reqs []*request) ([]error, bool, error) {
	b := &batch{}
	for i, r := range reqs {
		b.cur = i
		r.Fn(b)
	}
	errs := make([]error, len(reqs))
	if b.Len() == 0 {
		return errs, false, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	br := w.pool.SendBatch(ctx, &b.Batch)
	for k, read := range b.reads {
		rerr := read(br)
		var kerr keepError
		switch {
		case rerr == nil:
		case errors.As(rerr, &kerr):
			if errs[b.owner[k]] == nil {
				errs[b.owner[k]] = rerr
			}
		default:
			_ = br.Close()
			return nil, false, rerr
		}
	}
	if err := br.Close(); err != nil {
		return nil, false, err
	}
	return errs, b.notify, nil
}
