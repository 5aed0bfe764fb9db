package sqlite

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// checkpointEvery is the least time between two rounds of checkpoints,
// but for the copies run back to back after a reader pinned the WAL (see
// restartAfterCopy).
const checkpointEvery = 100 * time.Millisecond

// walRestartBytes is the WAL size past which the checkpointer restarts the
// WAL instead of only copying it. A variable so that tests can lower it.
var walRestartBytes int64 = 16 << 20

// walKeepBytes is what the writer truncates the WAL file to after a
// restart (journal_size_limit): the file SQLite reuses stays as large as
// the load needs between two restarts, and no larger.
// A variable so that tests can lower it.
var walKeepBytes int64 = 16 << 20

// walShrinkStep is the most the writer truncates the WAL file by at once.
// A WAL that a long reader let grow to hundreds of MB shrinks back to
// walKeepBytes over several restarts, a step each: truncating 550 MB at
// once (ext4 freeing its blocks) held the writer's commit for 230 ms.
// A variable so that tests can lower it.
var walShrinkStep int64 = 64 << 20

// restartWait bounds how long a restart waits for readers still on older
// snapshots, holding off the writer meanwhile: long enough for the short
// reads cardflow makes (a page of history) to end, short enough that
// the hooks' acknowledgements barely notice. A reader that takes longer (a
// backup, an export) makes the restart give up.
const restartWait = 25 * time.Millisecond

// After a restart that readers held off, the next one waits at least
// restartBackoff, doubling up to maxRestartBackoff while they keep holding
// it off: a reader that holds a snapshot for minutes pins the WAL for as
// long whatever the checkpointer does, and each attempt holds the writer
// off for restartWait. Attempting every round made the writer wait 200 ms
// out of every 300 while a backup ran: at half the engine's capacity the
// hooks' acknowledgements took seconds.
const (
	restartBackoff    = 250 * time.Millisecond
	maxRestartBackoff = 4 * time.Second
)

// idleShrinkAfter is how long the store goes without a commit before the
// checkpointer truncates a WAL file larger than walKeepBytes. The file
// shrinks when the writer starts the WAL over, which needs writes: a file
// that a reader let grow (a backup under load) stayed hundreds of MB while
// the store was idle after it. A variable so that tests can lower it.
var idleShrinkAfter = 2 * time.Second

// A restart holds the writer off while it copies what the PASSIVE before
// it left: the frames committed while that one ran. Once a reader has let
// go of a WAL it pinned, the first PASSIVE copies hundreds of MB, and the
// restart after it held the writer off for most of a second. So after a
// blocked restart, while a PASSIVE takes longer than restartAfterCopy,
// another runs first, up to maxCopyAgain times in a row. Other restarts
// follow their PASSIVE at once: on a disk that makes every PASSIVE slow,
// putting them off let the WAL grow.
const (
	restartAfterCopy = 50 * time.Millisecond
	maxCopyAgain     = 4
)

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
// WAL over from its beginning and truncates the file to walKeepBytes, or
// by walShrinkStep towards it.
//
// The RESTART takes the writer's turn first (see writer.turn): asking
// SQLite for the write lock instead, it polled for a moment between two of
// the writer's transactions, and under load it found one only after tens
// of ms, or not within restartWait, while the WAL grew.
type checkpointer struct {
	conn     *sql.Conn
	pageSize int64
	walPath  string
	// setKeep sets the size the writer truncates the WAL file to when it
	// starts the WAL over (journal_size_limit); keep is the one set. Called
	// in the writer's turn only.
	setKeep func(int64) error
	keep    int64
	turn    sync.Locker   // the writer's: held, no transaction runs
	kick    chan struct{} // the writer committed something
	cancel  context.CancelFunc
	exited  chan struct{}

	// restarts counts the RESTART checkpoints that completed, and
	// restartedBytes the WAL bytes they started over from: together, how
	// often the WAL starts over and how much went through it meanwhile.
	// blocked counts those that readers held off.
	restarts, restartedBytes, blocked atomic.Int64

	// backoff is the wait before the next restart after blocked ones, and
	// notBefore the time it ends; pinned says the last restart was
	// blocked, and copyAgain counts the PASSIVEs since, in a row, that
	// were too long to restart after. Only run uses them.
	backoff   time.Duration
	notBefore time.Time
	pinned    bool
	copyAgain int
}

func newCheckpointer(conn *sql.Conn, pageSize int64, walPath string, turn sync.Locker, setKeep func(int64) error) *checkpointer {
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{
		conn:     conn,
		pageSize: pageSize,
		walPath:  walPath,
		setKeep:  setKeep,
		keep:     walKeepBytes,
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
	idle := time.NewTimer(idleShrinkAfter)
	defer idle.Stop()
	for {
		select {
		case <-c.kick:
		case <-idle.C:
			if c.shrinkIdle(ctx) {
				idle.Reset(c.backoff)
			}
			continue
		case <-ctx.Done():
			return
		}
		idle.Reset(idleShrinkAfter)
		c.limitTruncation(false)
		// A failed checkpoint is retried at the next commit; the WAL keeps
		// every frame until then, so nothing is lost by ignoring it.
		start := time.Now()
		_, frames, done, err := c.checkpoint(ctx, "PASSIVE")
		copied := time.Since(start)
		if err == nil && done >= frames {
			// Every frame copied: no reader pins the WAL any longer, so
			// a restart need not wait out the backoff of blocked ones.
			c.backoff, c.notBefore = 0, time.Time{}
		}
		next := checkpointEvery
		switch {
		case err != nil || frames*c.pageSize < walRestartBytes || time.Now().Before(c.notBefore):
		case c.pinned && copied > restartAfterCopy && c.copyAgain < maxCopyAgain:
			// The WAL had much to copy (a reader had pinned it, say):
			// what was committed meanwhile is copied first, at once, so
			// that the restart holds the writer off for little.
			c.copyAgain++
			next = 0
		default:
			c.copyAgain = 0
			c.afterRestart(c.restart(ctx))
		}
		t.Reset(next)
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// restart runs a RESTART checkpoint in the writer's turn and reports
// whether readers held it off.
func (c *checkpointer) restart(ctx context.Context) (blocked bool) {
	c.turn.Lock()
	defer c.turn.Unlock()
	busy, frames, _, err := c.checkpoint(ctx, "RESTART")
	switch {
	case err != nil:
		return false // retried next round, as a failed PASSIVE is
	case busy:
		c.blocked.Add(1)
		return true
	}
	c.restarts.Add(1)
	c.restartedBytes.Add(frames * c.pageSize)
	// The writer's next commit truncates the file: from its size now,
	// which grew since the round began if a reader had pinned the WAL.
	c.limitTruncation(true)
	return false
}

// shrinkIdle truncates the WAL file, when it is larger than walKeepBytes,
// with a TRUNCATE checkpoint in the writer's turn; the store is idle, so
// that the truncation holds no commit off for long. It reports whether
// readers held it off: it is to be tried again after c.backoff, which
// grows as a blocked restart's does.
func (c *checkpointer) shrinkIdle(ctx context.Context) (retry bool) {
	fi, err := os.Stat(c.walPath)
	if err != nil || fi.Size() <= walKeepBytes {
		return false
	}
	c.turn.Lock()
	defer c.turn.Unlock()
	busy, frames, _, err := c.checkpoint(ctx, "TRUNCATE")
	switch {
	case err != nil:
		return false // tried again after the next commit's idle time
	case busy:
		c.blocked.Add(1)
		c.backoff = min(max(2*c.backoff, restartBackoff), maxRestartBackoff)
		return true
	}
	c.restarts.Add(1)
	c.restartedBytes.Add(frames * c.pageSize)
	c.backoff, c.notBefore, c.pinned = 0, time.Time{}, false
	return false
}

// limitTruncation keeps the size the writer truncates the WAL file to at
// most walShrinkStep below the file's size (walKeepBytes at the least),
// whoever starts the WAL over next: a restart of the checkpointer's, or
// the writer itself, which starts it over when it finds every frame copied
// and no reader on it (at light load, after every round). It takes the
// writer's turn when it changes the size, unless the caller holds it.
func (c *checkpointer) limitTruncation(inTurn bool) {
	fi, err := os.Stat(c.walPath)
	if err != nil {
		return
	}
	keep := max(walKeepBytes, fi.Size()-walShrinkStep)
	if keep == c.keep {
		return
	}
	if !inTurn {
		c.turn.Lock()
		defer c.turn.Unlock()
	}
	if c.setKeep(keep) == nil {
		c.keep = keep
	}
}

// afterRestart sets when the next restart may run: at once after one that
// completed, after a growing backoff while readers hold them off.
func (c *checkpointer) afterRestart(blocked bool) {
	c.pinned = blocked
	if !blocked {
		c.backoff, c.notBefore = 0, time.Time{}
		return
	}
	c.backoff = min(max(2*c.backoff, restartBackoff), maxRestartBackoff)
	c.notBefore = time.Now().Add(c.backoff)
}

// checkpoint runs a checkpoint in mode and returns the frames the WAL held,
// how many of them are copied into the database, and whether readers or
// the writer kept it from completing (busy).
func (c *checkpointer) checkpoint(ctx context.Context, mode string) (busy bool, frames, copied int64, err error) {
	var blocked int64
	err = c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&blocked, &frames, &copied)
	return blocked != 0, frames, copied, err
}

// close stops the checkpointer and closes its connection; the last
// connection to close checkpoints what is left.
func (c *checkpointer) close() error {
	c.cancel()
	<-c.exited
	return c.conn.Close()
}
