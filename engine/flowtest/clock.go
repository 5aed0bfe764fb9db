package flowtest

import (
	"context"
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/runtime"
)

// fakeClock is a runtime.Clock whose Sleep returns at once and moves the
// time forward, so that retries with backoff and Retry-After waits cost no
// wall-clock time in tests.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

var _ runtime.Clock = (*fakeClock)(nil)

func newFakeClock(start time.Time) *fakeClock { return &fakeClock{now: start} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.mu.Lock()
		c.now = c.now.Add(d)
		c.slept += d
		c.mu.Unlock()
	}
	return nil
}

// Slept is the total simulated waiting time.
func (c *fakeClock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}
