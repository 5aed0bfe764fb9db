package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestWALStaysBoundedUnderLoad runs executions' writes without a pause,
// with readers beside them, and checks that the WAL file never grows far
// past the size at which the checkpointer restarts it. PASSIVE checkpoints
// alone never catch up with a writer that commits all the time, and the
// WAL grew with every commit (to 569 MB in a 20 s benchmark).
func TestWALStaysBoundedUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("writes for a few seconds")
	}
	defer func(old int64) { walRestartBytes = old }(walRestartBytes)
	walRestartBytes = 256 << 10
	// The restart size, and what the load adds while a round of checkpoints
	// runs (a checkpoint syncs the file, which takes hundreds of ms on a
	// loaded machine while 16 writers commit).
	const bound = 8 << 20

	path := filepath.Join(t.TempDir(), "wal.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	payload := oktaEvent()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var walMax atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > walMax.Load() {
				walMax.Store(fi.Size())
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	var written atomic.Int64 // WAL frames' worth of executions ended
	var last atomic.Value    // an execution id, for the readers
	last.Store("")
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("worker-%d", w)
			for i := 0; ctx.Err() == nil; i++ {
				if err := walLifecycle(s, owner, fmt.Sprintf("%d-%d", w, i), payload, i%2 == 0); err != nil {
					t.Error(err)
					cancel()
					return
				}
				written.Add(1)
			}
		}()
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := s.Depth(ctx); err != nil && ctx.Err() == nil {
					t.Error(err)
				}
			}
		}()
	}
	// Enough executions to write the bound many times over: without the
	// restart the WAL kept about 15 KB of each, so 2000 executions grow it
	// to 30 MB (a slow machine, or -race, manages fewer in 30 s).
	deadline := time.Now().Add(30 * time.Second)
	for written.Load() < 2000 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	t.Logf("%d executions, WAL at most %.1f MiB", written.Load(), float64(walMax.Load())/(1<<20))
	if got := walMax.Load(); got > bound {
		t.Fatalf("the WAL grew to %.1f MiB under load, want at most %.1f MiB", float64(got)/(1<<20), float64(bound)/(1<<20))
	}
}
