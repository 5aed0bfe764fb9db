package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/cardflow/cardflow/engine/store"
)

var writeCountsTests = []test{
	{"CountsEveryWrite", testWriteCounts},
}

// testWriteCounts: a store that counts its writes (store.WriteCounter)
// counts every committed write, in no more transactions than writes, and
// a store with a WAL file reports its size.
func testWriteCounts(t *testing.T, s store.Store) {
	ws, ok := s.(store.WriteCounter)
	if !ok {
		t.Skip("the store does not count its writes")
	}
	before := ws.WriteCounts()
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { mustEnqueue(t, s, event("stats", fmt.Sprintf("w-%d", i))) })
	}
	wg.Wait()
	after := ws.WriteCounts()
	writes, commits := after.Writes-before.Writes, after.Commits-before.Commits
	t.Logf("%d enqueues: %d writes in %d commits", n, writes, commits)
	if writes < n {
		t.Errorf("%d enqueues counted as %d writes, want at least %d", n, writes, n)
	}
	if commits < 1 || commits > writes {
		t.Errorf("%d writes counted in %d commits, want between 1 and %d", writes, commits, writes)
	}
	if after.WAL && after.WALBytes <= 0 {
		t.Errorf("WAL file of %d bytes after %d writes, want more than 0", after.WALBytes, writes)
	}
	if after.WALRestarts < before.WALRestarts {
		t.Errorf("WAL restarts went from %d to %d", before.WALRestarts, after.WALRestarts)
	}
}
