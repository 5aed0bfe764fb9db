package groupcommit

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var errClosed = errors.New("closed")

// TestGroupsAndAnswers: concurrent writes are committed in groups no larger
// than the maximum, every caller gets its own answer, and Close commits
// what is queued before it returns.
func TestGroupsAndAnswers(t *testing.T) {
	var mu sync.Mutex
	var sizes []int
	q := New(8, errClosed, func(group []*Request[int]) {
		mu.Lock()
		sizes = append(sizes, len(group))
		mu.Unlock()
		for _, r := range group {
			if r.Fn%2 == 1 {
				r.Done(errors.New("odd"))
				continue
			}
			r.Done(nil)
		}
	})
	const n = 200
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = q.Do(context.Background(), i)
		}()
	}
	wg.Wait()
	q.Close()
	total := 0
	for _, s := range sizes {
		if s < 1 || s > 8 {
			t.Errorf("a group of %d", s)
		}
		total += s
	}
	if total != n {
		t.Errorf("%d requests committed, want %d", total, n)
	}
	for i, err := range errs {
		if (i%2 == 1) != (err != nil) {
			t.Errorf("request %d answered %v", i, err)
		}
	}
	if err := q.Do(context.Background(), 0); !errors.Is(err, errClosed) {
		t.Errorf("Do after Close: %v, want the close error", err)
	}
}

// TestCanceledCaller: a caller that gives up gets its context's error.
func TestCanceledCaller(t *testing.T) {
	gate := make(chan struct{})
	q := New(1, errClosed, func(group []*Request[int]) {
		<-gate
		for _, r := range group {
			r.Done(nil)
		}
	})
	defer q.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := q.Do(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Do with a canceled context: %v", err)
	}
	close(gate)
}

// TestCancelledWrites: a write whose caller gives up before the committer
// starts it is never made; one the committer has started is waited for,
// so that nothing uses a caller's write after Do returned.
func TestCancelledWrites(t *testing.T) {
	running, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var made []string
	q := New(8, errClosed, func(group []*Request[string]) {
		for _, r := range group {
			if !r.Start() {
				continue
			}
			if r.Fn == "slow" {
				close(running)
				<-release
			}
			mu.Lock()
			made = append(made, r.Fn)
			mu.Unlock()
			r.Done(nil)
		}
	})
	defer q.Close()

	// The committer holds "slow" while "queued" waits behind it.
	slowCtx, cancelSlow := context.WithCancel(context.Background())
	slowErr := make(chan error, 1)
	go func() { slowErr <- q.Do(slowCtx, "slow") }()
	<-running
	queuedCtx, cancelQueued := context.WithCancel(context.Background())
	queuedErr := make(chan error, 1)
	go func() { queuedErr <- q.Do(queuedCtx, "queued") }()
	for q.Pending() == 0 {
		runtime.Gosched()
	}

	cancelQueued()
	if err := <-queuedErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("the queued write's Do = %v, want context.Canceled", err)
	}
	cancelSlow()
	select {
	case err := <-slowErr:
		t.Fatalf("Do returned %v while its write was being made", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-slowErr; err != nil {
		t.Fatalf("the started write's Do = %v, want its outcome, nil", err)
	}
	if err := q.Do(context.Background(), "after"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"slow", "after"}; !slices.Equal(made, want) {
		t.Errorf("writes made: %q, want %q (the abandoned one never)", made, want)
	}
}

// TestRequeuedWriteMayBeAbandoned: a write whose group was rolled back
// and queued again (to be retried alone) may be given up by its caller
// while the committer retries others, and is then never made.
func TestRequeuedWriteMayBeAbandoned(t *testing.T) {
	requeued, retry := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	var made, skipped []string
	q := New(8, errClosed, func(group []*Request[string]) {
		for _, r := range group {
			r.Start()
		}
		// The group failed and was rolled back: retry each alone, once the
		// test lets the retries start.
		for _, r := range group {
			r.Requeue()
		}
		once.Do(func() { close(requeued) })
		<-retry
		for _, r := range group {
			mu.Lock()
			if r.Start() {
				made = append(made, r.Fn)
				r.Done(nil)
			} else {
				skipped = append(skipped, r.Fn)
			}
			mu.Unlock()
		}
	})
	defer q.Close()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- q.Do(ctx, "given up") }()
	<-requeued
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Do = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Do waited for the retries although its write was queued again")
	}
	close(retry)
	if err := q.Do(context.Background(), "later"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(skipped, []string{"given up"}) || !slices.Equal(made, []string{"later"}) {
		t.Errorf("made %q, skipped %q; want [later], [given up]", made, skipped)
	}
}
