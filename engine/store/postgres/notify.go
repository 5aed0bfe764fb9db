package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
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
