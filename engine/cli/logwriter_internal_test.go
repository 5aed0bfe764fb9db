package cli

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the writer's goroutine and the
// test to use at once; it counts the writes it got.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
	gate   chan struct{} // when not nil, each Write waits for it to close
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	if b.gate != nil {
		<-b.gate
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes++
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// A line reaches stderr without Close: nothing waits for more lines or a
// timer.
func TestLogWriterWritesWithoutClose(t *testing.T) {
	var out lockedBuffer
	w := newLogWriter(context.Background(), &out)
	defer w.Close()
	fmt.Fprintf(w, "first\n")
	deadline := time.Now().Add(10 * time.Second)
	for out.String() != "first\n" {
		if time.Now().After(deadline) {
			t.Fatalf("the line was not written; stderr has %q", out.String())
		}
		time.Sleep(time.Millisecond)
	}
}

// Lines written at once from many goroutines come out whole, each
// goroutine's in its order, all of them by Close; later writes go straight
// through.
func TestLogWriterKeepsLinesWholeAndInOrder(t *testing.T) {
	var out lockedBuffer
	w := newLogWriter(context.Background(), &out)
	const writers, lines = 8, 2000
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range lines {
				fmt.Fprintf(w, `{"writer":%d,"n":%d,"pad":"%s"}`+"\n", g, n, strings.Repeat("x", n%50))
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, "after close\n")
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != writers*lines+1 {
		t.Fatalf("got %d lines, want %d", len(got), writers*lines+1)
	}
	if got[len(got)-1] != "after close" {
		t.Fatalf("last line %q, want the one written after Close", got[len(got)-1])
	}
	next := make([]int, writers)
	for _, line := range got[:len(got)-1] {
		var g, n int
		var pad string
		if _, err := fmt.Sscanf(line, `{"writer":%d,"n":%d,"pad":%q}`, &g, &n, &pad); err != nil {
			t.Fatalf("line %q is not one that was written: %v", line, err)
		}
		if n != next[g] || pad != strings.Repeat("x", n%50) {
			t.Fatalf("writer %d: got line %q, want its line %d next", g, line, next[g])
		}
		next[g]++
	}
}

// While stderr does not take lines, the backlog stops growing at
// maxLogBacklog: writers wait, as they did when they wrote themselves.
func TestLogWriterBoundsTheBacklog(t *testing.T) {
	out := lockedBuffer{gate: make(chan struct{})}
	w := newLogWriter(context.Background(), &out)
	line := strings.Repeat("y", 1023) + "\n"
	const lines = 3 * maxLogBacklog / 1024
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for range lines {
			fmt.Fprint(w, line)
		}
	}()
	// Wait until the writer is held back: the backlog is full.
	deadline := time.Now().Add(10 * time.Second)
	for {
		w.mu.Lock()
		n := len(w.buf)
		w.mu.Unlock()
		if n > maxLogBacklog {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("backlog %d bytes, never reached %d", n, maxLogBacklog)
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case <-wrote:
		t.Fatal("every line was queued while stderr took none")
	case <-time.After(50 * time.Millisecond):
	}
	w.mu.Lock()
	n := len(w.buf)
	w.mu.Unlock()
	if n > maxLogBacklog+len(line) {
		t.Fatalf("backlog grew to %d bytes, over %d", n, maxLogBacklog+len(line))
	}
	close(out.gate)
	<-wrote
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != strings.Repeat(line, lines) {
		t.Fatalf("stderr has %d bytes, want %d", len(got), lines*len(line))
	}
}

// When the context ends, what was queued is written, and so is what comes
// after.
func TestLogWriterStopsWithItsContext(t *testing.T) {
	var out lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	w := newLogWriter(ctx, &out)
	fmt.Fprint(w, "one\n")
	cancel()
	<-w.done
	fmt.Fprint(w, "two\n")
	if got := out.String(); got != "one\ntwo\n" {
		t.Fatalf("stderr has %q", got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
