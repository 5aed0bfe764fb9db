package groupcommit

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// Request is one caller's write waiting for its group.
type Request[F any] struct {
	Ctx   context.Context
	Fn    F
	done  chan error   // buffered (2: errRequeued, then the outcome): the committer never waits for the caller
	state atomic.Int32 // queued, started or abandoned
}

// errRequeued tells Do that its write was rolled back and queued again.
var errRequeued = errors.New("groupcommit: requeued")

// The states of a request: the committer starts it, or its caller, whose
// context ended first, abandons it.
const (
	queued int32 = iota
	started
	abandoned
)

// Start tells whether the committer may make the write: true once it has
// started it (again, when a failed group is retried write by write), false
// when the caller gave up first, which then never sees the write made.
// The committer calls it before it runs Fn.
func (r *Request[F]) Start() bool {
	return r.state.CompareAndSwap(queued, started) || r.state.Load() == started
}

// Requeue puts back a started request whose group was rolled back, to be
// run again (alone, say): until the committer starts it again its caller
// may give up, and then it is never made. The committer calls it for each
// request of a failed group before it retries any of them, so that a
// caller that gave up does not wait for the retries of the others.
func (r *Request[F]) Requeue() {
	if r.state.CompareAndSwap(started, queued) {
		r.done <- errRequeued
	}
}

// Done answers the caller.
func (r *Request[F]) Done(err error) { r.done <- err }

// Queue gathers requests into groups for its committer goroutine.
type Queue[F any] struct {
	commit   func(group []*Request[F])
	maxGroup int
	reqs     chan *Request[F]
	closeErr error

	mu     sync.RWMutex // held for reading while sending on reqs
	closed bool
	quit   chan struct{}
	exited chan struct{}
}

// New starts a committer goroutine that calls commit with groups of at most
// maxGroup requests; commit must answer every request of its group. Calls
// after Close return closeErr.
func New[F any](maxGroup int, closeErr error, commit func(group []*Request[F])) *Queue[F] {
	q := &Queue[F]{
		commit:   commit,
		maxGroup: maxGroup,
		reqs:     make(chan *Request[F], maxGroup),
		closeErr: closeErr,
		quit:     make(chan struct{}),
		exited:   make(chan struct{}),
	}
	go q.run()
	return q
}

// Do queues fn and waits until the group holding it has committed (or
// failed). When ctx ends before the committer starts the write, Do returns
// ctx.Err() and the write is never made; once started, Do waits for its
// outcome, unless its group is rolled back and the write queued again
// (Requeue). Either way nothing uses fn, or what it refers to, after Do
// returns.
func (q *Queue[F]) Do(ctx context.Context, fn F) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &Request[F]{Ctx: ctx, Fn: fn, done: make(chan error, 2)}
	q.mu.RLock()
	if q.closed {
		q.mu.RUnlock()
		return q.closeErr
	}
	select {
	case q.reqs <- r:
	case <-ctx.Done():
		q.mu.RUnlock()
		return ctx.Err()
	}
	q.mu.RUnlock()
	for {
		var err error
		select {
		case err = <-r.done:
		case <-ctx.Done():
			if r.state.CompareAndSwap(queued, abandoned) {
				return ctx.Err()
			}
			err = <-r.done // the committer has it: one transaction's time at most
		}
		if err != errRequeued {
			return err
		}
	}
}

// Pending counts the requests queued and not yet in a group.
func (q *Queue[F]) Pending() int { return len(q.reqs) }

// Close stops taking requests, commits those already queued and waits for
// the committer goroutine to end.
func (q *Queue[F]) Close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.quit)
	}
	q.mu.Unlock()
	<-q.exited
}

func (q *Queue[F]) run() {
	defer close(q.exited)
	group := make([]*Request[F], 0, q.maxGroup)
	for {
		var first *Request[F]
		select {
		case first = <-q.reqs:
		case <-q.quit:
			// No sender is left (Close holds the lock they send under):
			// commit what they queued, then stop.
			select {
			case first = <-q.reqs:
			default:
				return
			}
		}
		group = append(group[:0], first)
	fill:
		for len(group) < q.maxGroup {
			select {
			case r := <-q.reqs:
				group = append(group, r)
			default:
				break fill
			}
		}
		q.commit(group)
		clear(group) // let the requests go
		// The callers just answered are runnable but, on a busy machine,
		// not yet running. Yielding lets them queue their next writes, so
		// the next group is larger and the commit cost is shared wider.
		runtime.Gosched()
	}
}
