package sqlite

import (
	"bytes"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// TestPackKeepsCallersStacksSmall packs a payload on many goroutines, as
// the intake does on each hook connection's, and checks that their stacks
// stay small: S2's dictionary encoder needs 64 KiB of stack, which the
// encoders' goroutines have and the callers do not grow (128 KiB each
// without them).
func TestPackKeepsCallersStacksSmall(t *testing.T) {
	openTemp(t) // a writable store: the encoders run
	event := oktaEvent()
	pack(event) // the encoders' own stacks grow before the count starts

	const n = 64
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var packed, done sync.WaitGroup
	packed.Add(n)
	done.Add(1)
	for range n {
		go func() {
			pack(event)
			packed.Done()
			done.Wait()
		}()
	}
	packed.Wait()
	runtime.ReadMemStats(&after)
	done.Done()
	if grown := int64(after.StackInuse) - int64(before.StackInuse); grown > n*32<<10 {
		t.Errorf("%d goroutines that packed a value hold %d KiB more stack, %d KiB each; want well under the encoder's 64 KiB",
			n, grown>>10, grown/n>>10)
	}
}

// TestEncodersStopWithTheLastStore checks that the encoders run while a
// store is open, stop when the last one closes (goleak checks no goroutine
// is left), and that a value is packed the same way by them and without
// them.
func TestEncodersStopWithTheLastStore(t *testing.T) {
	event := oktaEvent()
	inline, ok := encodeInline(event, []byte{packedMark, blobDictID}, len(event))
	if !ok || encoders.cur.Load() != nil {
		t.Fatalf("before any store: packed %v, encoders running %v", ok, encoders.cur.Load() != nil)
	}
	a := openTemp(t)
	b := openTemp(t)
	if !bytes.Equal(pack(event), inline) {
		t.Error("the encoders packed the event differently")
	}
	a.Close()
	if encoders.cur.Load() == nil {
		t.Fatal("the encoders stopped while a store is still open")
	}
	b.Close()
	if encoders.cur.Load() != nil {
		t.Fatal("the encoders run after the last store closed")
	}
	if !bytes.Equal(pack(event), inline) {
		t.Error("without encoders the event is packed differently")
	}
}

// openTemp opens a store in a file of t's own, closed when t ends.
func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "cardflow.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
