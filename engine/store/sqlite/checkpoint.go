package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// checkpointEvery is the least time between two checkpoints.
const checkpointEvery = 100 * time.Millisecond

// walRestartBytes is the WAL size past which the checkpointer restarts the
// WAL instead of only copying it. A variable so that tests can lower it.
var walRestartBytes int64 = 16 << 20

// walKeepBytes is what the writer truncates the WAL file to after a
// restart (journal_size_limit): the file SQLite reuses stays as large as
// the load needs between two restarts, and no larger.
const walKeepBytes = 16 << 20

// restartWait bounds how long a restart waits for readers (and holds off
// the writer meanwhile): a reader that takes longer (a long history page)
// makes the restart give up until the next round instead of stalling the
// hooks' acknowledgements behind it.
const restartWait = 200 * time.Millisecond

// checkpointer copies committed WAL frames back into the database file on a
// connection of its own, so that the writer never does: SQLite's automatic
// checkpoint would run inside a commit, on the writer's goroutine, fsync
// included. PASSIVE checkpoints never wait for, nor block, the writer or
// readers. Under sustained load they never catch up, though: the writer
// commits while they copy, so the WAL always holds frames they have not
// copied, and SQLite starts the WAL over only when every frame is copied.
// The WAL grew to hundreds of MB that way. So when the WAL passes
// walRestartBytes the checkpointer runs a RESTART checkpoint: it holds off
// the writer for the frames the last PASSIVE left (a few batches) and the
// readers still on old snapshots, after which the next commit starts the
// WAL over from its beginning and truncates the file to walKeepBytes.
//
// The RESTART takes the writer's turn first (see writer.turn): asking
// SQLite for the write lock instead, it polled for a moment between two of
// the writer's transactions, and under load it found one only after tens
// of ms, or not within restartWait, while the WAL grew.
type checkpointer struct {
	conn     *sql.Conn
	pageSize int64
	turn     sync.Locker   // the writer's: held, no transaction runs
	kick     chan struct{} // the writer committed something
	cancel   context.CancelFunc
	exited   chan struct{}

	// restarts counts the RESTART checkpoints that completed, and
	// restartedBytes the WAL bytes they started over from: together, how
	// often the WAL starts over and how much went through it meanwhile.
	restarts, restartedBytes atomic.Int64
}

func newCheckpointer(conn *sql.Conn, pageSize int64, turn sync.Locker) *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{
		conn:     conn,
		pageSize: pageSize,
		turn:     turn,
		kick:     make(chan struct{}, 1),
		cancel:   cancel,
		exited:   make(chan struct{}),
	}
	go c.run(ctx)
	return c
}

// committed tells the checkpointer there are frames to copy; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run(ctx context.Context) {
	defer close(c.exited)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-c.kick:
		case <-ctx.Done():
			return
		}
		// A failed checkpoint is retried at the next commit; the WAL keeps
		// every frame until then, so nothing is lost by ignoring it.
		if _, frames, err := c.checkpoint(ctx, "PASSIVE"); err == nil && frames*c.pageSize >= walRestartBytes {
			c.restart(ctx)
		}
		t.Reset(checkpointEvery)
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// restart runs a RESTART checkpoint in the writer's turn.
func (c *checkpointer) restart(ctx context.Context) {
	c.turn.Lock()
	defer c.turn.Unlock()
	if busy, frames, err := c.checkpoint(ctx, "RESTART"); err == nil && !busy {
		c.restarts.Add(1)
		c.restartedBytes.Add(frames * c.pageSize)
	}
}

// checkpoint runs a checkpoint in mode and returns the frames the WAL held
// and whether readers or the writer kept it from completing (busy).
func (c *checkpointer) checkpoint(ctx context.Context, mode string) (busy bool, frames int64, err error) {
	var blocked, done int64
	err = c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&blocked, &frames, &done)
	return blocked != 0, frames, err
}

// close stops the checkpointer and closes its connection; the last
// connection to close checkpoints what is left.
func (c *checkpointer) close() error {
	c.cancel()
	<-c.exited
	return c.conn.Close()
}
