package cli

import (
	"context"
	"io"
	"sync"
)

// maxLogBacklog is how many bytes of log lines may wait for the writer's
// goroutine before a Write waits for it: a slow stderr (a full pipe) holds
// the loggers back as it did when they wrote themselves, rather than
// growing the backlog without bound.
const maxLogBacklog = 1 << 20

// logWriter passes the log's lines to w from one goroutine, each write of
// it carrying every line that came while the previous write ran. A line is
// written as soon as that goroutine runs (no timer holds it), in the order
// the lines came, and whole (a slog handler writes a record in one Write).
//
// Under load cardflow run logs a line per execution from many workers at
// once; one write(2) per line was a measurable part of an execution's CPU
// (issue 21), and one write for all the lines that pile up while the
// previous one ran costs the same syscall once. A crash loses at most the
// lines logged while the last write was under way.
type logWriter struct {
	w    io.Writer
	wake chan struct{} // capacity 1: something is waiting
	stop context.CancelFunc
	done chan struct{} // closed when the goroutine has ended

	mu      sync.Mutex
	drained *sync.Cond // signalled when the goroutine takes the backlog
	buf     []byte     // lines waiting, under mu
	spare   []byte     // the buffer of the last write, reused
	closed  bool       // Close ran: Write writes to w itself
}

// newLogWriter starts the goroutine that writes to w; it stops when ctx
// ends or Close is called, after writing what was waiting.
func newLogWriter(ctx context.Context, w io.Writer) *logWriter {
	l := &logWriter{w: w, wake: make(chan struct{}, 1), done: make(chan struct{})}
	l.drained = sync.NewCond(&l.mu)
	ctx, l.stop = context.WithCancel(ctx)
	go func() {
		defer close(l.done)
		l.loop(ctx)
	}()
	return l
}

// Write queues p for the goroutine. It never splits p.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	for !l.closed && len(l.buf) > maxLogBacklog {
		l.drained.Wait()
	}
	if l.closed {
		// The goroutine has written everything and ended: mu keeps the
		// lines whole and in order.
		defer l.mu.Unlock()
		return l.w.Write(p)
	}
	l.buf = append(l.buf, p...)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default: // already woken: it will take p with the rest
	}
	return len(p), nil
}

func (l *logWriter) loop(ctx context.Context) {
	for {
		select {
		case <-l.wake:
			l.flush()
		case <-ctx.Done():
			l.mu.Lock()
			l.closed = true
			b := l.buf
			l.buf = nil
			// Written under mu: a Write after this one goes to w itself,
			// and must come after these lines.
			if len(b) > 0 {
				_, _ = l.w.Write(b)
			}
			l.drained.Broadcast()
			l.mu.Unlock()
			return
		}
	}
}

// flush writes what is waiting, outside mu so that loggers go on queueing.
func (l *logWriter) flush() {
	l.mu.Lock()
	b := l.buf
	l.buf = l.spare[:0]
	l.spare = nil
	l.drained.Broadcast()
	l.mu.Unlock()
	if len(b) == 0 {
		return
	}
	// An error is the stream's (a closed pipe): the lines are gone as they
	// would be had the logger written them itself.
	_, _ = l.w.Write(b)
	l.mu.Lock()
	if cap(b) <= maxLogBacklog {
		l.spare = b[:0]
	}
	l.mu.Unlock()
}

// Close writes what is waiting and stops the goroutine; later writes go
// to w directly.
func (l *logWriter) Close() error {
	l.stop()
	<-l.done
	return nil
}
