package groupcommit

import (
	"context"
	"errors"
	"sync"
	"testing"

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
