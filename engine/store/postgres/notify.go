package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// listener holds one connection that LISTENs on the store's channel and
// turns notifications into wake-ups on ch. It reconnects with backoff when
// the connection breaks; meanwhile workers fall back to polling.
type listener struct {
	cfg     *pgx.ConnConfig
	channel string
	ch      chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}
}

func newListener(cfg *pgx.ConnConfig, channel string) *listener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{cfg: cfg.Copy(), channel: channel, ch: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go l.run(ctx)
	return l
}

func (l *listener) close() {
	l.cancel()
	<-l.done
}

func (l *listener) wake() {
	select {
	case l.ch <- struct{}{}:
	default:
	}
}

func (l *listener) run(ctx context.Context) {
	defer close(l.done)
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if l.listen(ctx) {
			backoff = 100 * time.Millisecond
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listen connects, listens and wakes on every notification until the
// connection fails or ctx ends. It reports whether it got to listen.
func (l *listener) listen(ctx context.Context) bool {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.channel}.Sanitize()); err != nil {
		return false
	}
	// Work may have arrived while no one listened.
	l.wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return true
		}
		l.wake()
	}
}

// announcer sends NOTIFY on the store's channel after writes that made
// executions pending. It does so in a transaction of its own, after theirs
// committed, because a transaction that notifies holds a database-wide lock
// from its commit until the commit is on disk: notifying inside the write
// groups would serialize the commits of every replica. A burst of writes
// makes one NOTIFY.
type announcer struct {
	pool    *pgxpool.Pool
	channel string
	poke    chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}
}

func newAnnouncer(pool *pgxpool.Pool, channel string) *announcer {
	ctx, cancel := context.WithCancel(context.Background())
	a := &announcer{pool: pool, channel: channel, poke: make(chan struct{}, 1), cancel: cancel, done: make(chan struct{})}
	go a.run(ctx)
	return a
}

// announce asks for a NOTIFY; it never blocks.
func (a *announcer) announce() {
	select {
	case a.poke <- struct{}{}:
	default:
	}
}

// close sends the NOTIFY still asked for, then stops.
func (a *announcer) close() {
	a.cancel()
	<-a.done
}

func (a *announcer) run(ctx context.Context) {
	defer close(a.done)
	for {
		select {
		case <-a.poke:
		case <-ctx.Done():
			select {
			case <-a.poke:
				a.send(context.Background())
			default:
			}
			return
		}
		a.send(ctx)
	}
}

// send notifies; a failure only delays the other replicas until they poll.
func (a *announcer) send(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, _ = a.pool.Exec(ctx, `SELECT pg_notify($1, '')`, a.channel)
}
