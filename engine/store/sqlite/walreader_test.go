package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
)

// openReader opens a connection pool of its own on s's file, as a backup
// tool or another process would read it.
func openReader(t *testing.T, s *Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", strings.TrimSuffix(s.walPath, "-wal"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// waitUntil polls ok until it holds, failing the test after 20 s or when
// the load stopped on an error.
func waitUntil(t *testing.T, l *walLoad, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) || l.ctx.Err() != nil {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// TestRestartBacksOffWhileAReaderHoldsTheWAL: a reader that holds a
// snapshot (a backup does, for as long as it copies) keeps the WAL from
// starting over until it is done, and each restart tried meanwhile holds
// the writer off for restartWait. The checkpointer tries less and less
// often, and starts the WAL over again once the reader is gone. Trying at
// every round, it held the writer off 200 ms out of every 300 while a
// backup ran.
func TestRestartBacksOffWhileAReaderHoldsTheWAL(t *testing.T) {
	if testing.Short() {
		t.Skip("writes for a few seconds")
	}
	setWALSizes(t, 64<<10, 0, 0)

	s := openTemp(t)
	load := startWALLoad(t, s, 4)
	waitUntil(t, load, "the WAL starts over under the load", func() bool { return s.WriteCounts().WALRestarts > 0 })

	reader := openReader(t, s)
	const hold = 2 * time.Second
	// A reader that started while every frame of the WAL was copied reads
	// the database file alone and holds nothing: then the test holds again.
	var held, blocked int64
	for try := 0; try < 3 && held == 0; try++ {
		before := s.WriteCounts()
		tx, n := holdSnapshot(t, load.ctx, reader)
		time.Sleep(hold)
		during := s.WriteCounts()
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		blocked = during.WALRestartsBlocked - before.WALRestartsBlocked
		if blocked > 0 {
			held = during.WALRestarts - before.WALRestarts
			if held > 1 { // one may have been under way as the reader began
				t.Fatalf("the WAL started over %d times while a reader held a snapshot", held)
			}
			held = 1
		}
		t.Logf("try %d: %d executions read, %d restarts held off, %d completed in %v", try, n, blocked, during.WALRestarts-before.WALRestarts, hold)
	}
	if held == 0 {
		t.Fatal("in 3 tries, no reader held off a restart of the WAL")
	}
	// Tries at 0, 250 ms, 750 ms and 1.75 s (each after the round it is
	// due in): about 4 in 2 s, where a try every round (100 ms and the
	// round's own time) would be 10 or more.
	if blocked > 6 {
		t.Errorf("%d restarts tried in %v while a reader held the WAL, want at most 6: each holds the writer off", blocked, hold)
	}
	after := s.WriteCounts().WALRestarts
	waitUntil(t, load, "the WAL starts over after the reader", func() bool { return s.WriteCounts().WALRestarts > after })
}

// TestWALShrinksInSteps: a WAL file that a reader let grow shrinks once
// the reader is done, but by at most walShrinkStep at a time. The writer
// truncates the file in the commit after a restart, so the step bounds how
// long that commit takes; truncating 550 MB at once held it for 230 ms.
func TestWALShrinksInSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("writes for a few seconds")
	}
	setWALSizes(t, 64<<10, 256<<10, 2<<20)

	s := openTemp(t)
	load := startWALLoad(t, s, 4)
	size := func() int64 { return s.WriteCounts().WALBytes }

	// Hold a snapshot until the WAL is well past what the writers alone
	// make it (a round of checkpoints' worth, 7–17 MiB here).
	const grown = 40 << 20
	tx, _ := holdSnapshot(t, load.ctx, openReader(t, s))
	defer tx.Rollback() // after a failure; a second rollback does nothing
	waitUntil(t, load, "a reader lets the WAL grow", func() bool { return size() >= grown })
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	from := size()

	// Watch it shrink by four steps (under this load the writers alone
	// keep it at a round's worth): no drop between two looks larger than
	// a step, as the writer truncates once per restart, and restarts are
	// 100 ms apart at the least.
	prev, largest := from, int64(0)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		now := size()
		largest = max(largest, prev-now)
		prev = now
		if now <= from-4*walShrinkStep {
			break
		}
		if time.Now().After(deadline) || load.ctx.Err() != nil {
			t.Fatalf("the WAL file is %d bytes 30 s after the reader, want it below %d", now, from-4*walShrinkStep)
		}
	}
	wc := s.WriteCounts()
	t.Logf("WAL file %d bytes when the reader ended, %d now; largest drop %d; %d restarts, %d held off", from, size(), largest, wc.WALRestarts, wc.WALRestartsBlocked)
	if largest > walShrinkStep {
		t.Errorf("the WAL file shrank by %d bytes at once, want at most %d", largest, walShrinkStep)
	}
}

// TestIdleWALFileShrinks: a WAL file that a reader let grow shrinks back
// once the store is idle, though no write comes to start the WAL over: it
// stayed hundreds of MB after a backup that ran under load.
func TestIdleWALFileShrinks(t *testing.T) {
	if testing.Short() {
		t.Skip("writes for a few seconds")
	}
	setWALSizes(t, 64<<10, 256<<10, 0)
	old := idleShrinkAfter
	idleShrinkAfter = 300 * time.Millisecond
	t.Cleanup(func() { idleShrinkAfter = old })

	s := openTemp(t)
	load := startWALLoad(t, s, 4)
	size := func() int64 { return s.WriteCounts().WALBytes }
	const grown = 8 << 20
	// Not the load's context, which ends with it: that rolls tx back.
	tx, _ := holdSnapshot(t, context.Background(), openReader(t, s))
	defer tx.Rollback() // after a failure; a second rollback does nothing
	waitUntil(t, load, "a reader lets the WAL grow", func() bool { return size() >= grown })
	load.stop()
	// Idle, and the reader still there: the checkpointer tries, and the
	// file stays as it is.
	blocked := s.WriteCounts().WALRestartsBlocked
	time.Sleep(3 * idleShrinkAfter)
	if now := size(); now < grown {
		t.Fatalf("the WAL file shrank to %d bytes while a reader held it", now)
	}
	if s.WriteCounts().WALRestartsBlocked == blocked {
		t.Errorf("idle for %v with a reader on the WAL, and no truncation was tried", 3*idleShrinkAfter)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); size() > walKeepBytes; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the WAL file is %d bytes 20 s after the reader let go of an idle store, want at most %d", size(), walKeepBytes)
		}
	}
}
