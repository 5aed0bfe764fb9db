package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// checkpointEvery is the least time between two checkpoints.
const checkpointEvery = 100 * time.Millisecond

// checkpointer copies committed WAL frames back into the database file on a
// connection of its own, so that the writer never does: SQLite's automatic
// checkpoint would run inside a commit, on the writer's goroutine, fsync
// included. PASSIVE checkpoints never wait for, nor block, the writer or
// readers; once every frame is copied the writer starts the WAL over, so
// the file stays small.
type checkpointer struct {
	conn   *sql.Conn
	kick   chan struct{} // the writer committed something
	quit   chan struct{}
	exited chan struct{}
}

func newCheckpointer(conn *sql.Conn) *checkpointer {
	c := &checkpointer{
		conn:   conn,
		kick:   make(chan struct{}, 1),
		quit:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	go c.run()
	return c
}

// committed tells the checkpointer there are frames to copy; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.exited)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-c.kick:
		case <-c.quit:
			return
		}
		// A failed checkpoint is retried at the next commit; the WAL keeps
		// every frame until then, so nothing is lost by ignoring it.
		_, _ = c.conn.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		t.Reset(checkpointEvery)
		select {
		case <-t.C:
		case <-c.quit:
			return
		}
	}
}

// close stops the checkpointer and closes its connection; the last
// connection to close checkpoints what is left.
func (c *checkpointer) close() error {
	close(c.quit)
	<-c.exited
	return c.conn.Close()
}
