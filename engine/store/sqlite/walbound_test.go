package sqlite

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestWALStaysBoundedUnderLoad runs executions' writes without a pause,
// with readers beside them, and checks that the WAL file never holds more
// than a small part of what went through it: the checkpointer starts it
// over again and again. PASSIVE checkpoints alone never catch up with a
// writer that commits all the time, and the WAL grew with every commit (to
// 569 MB in a 20 s benchmark).
//
// How large the WAL gets between two restarts is what the writer commits
// while one round of checkpoints runs, which depends on the machine (a
// round syncs the file, which takes hundreds of ms on a loaded machine
// while 16 writers commit), so the bound is a share of what was written,
// over enough rounds, not a size.
func TestWALStaysBoundedUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("writes for a few seconds")
	}
	setWALSizes(t, 256<<10, 0, 0)
	const (
		minRounds = 8 // restarts the run must see
		share     = 4 // the WAL holds at most 1/share of what went through it
	)

	s := openTemp(t)
	load := startWALLoad(t, s, 16)
	ctx := load.ctx

	var walMax atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			if n := s.WriteCounts().WALBytes; n > walMax.Load() {
				walMax.Store(n)
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := s.Depth(ctx); err != nil && ctx.Err() == nil {
					t.Error(err)
				}
			}
		})
	}
	// Run until the WAL has started over often enough for its largest size
	// to mean something, and at least 3 s; a machine too slow for that in
	// 60 s fails the test rather than passing it on a few rounds.
	start := time.Now()
	for ctx.Err() == nil && time.Since(start) < 60*time.Second &&
		(time.Since(start) < 3*time.Second || s.WriteCounts().WALRestarts < 2*minRounds) {
		time.Sleep(10 * time.Millisecond)
	}
	load.stop()
	wg.Wait()
	rounds, through := s.WriteCounts().WALRestarts, s.cp.restartedBytes.Load()
	got := walMax.Load()
	t.Logf("%d executions, %d restarts, %.1f MiB through the WAL, WAL at most %.1f MiB",
		load.ended.Load(), rounds, float64(through)/(1<<20), float64(got)/(1<<20))
	if rounds < minRounds {
		t.Fatalf("the WAL started over %d times under load, want at least %d", rounds, minRounds)
	}
	if got*share > through {
		t.Fatalf("the WAL grew to %.1f MiB under load, more than 1/%d of the %.1f MiB that went through it",
			float64(got)/(1<<20), share, float64(through)/(1<<20))
	}
}
