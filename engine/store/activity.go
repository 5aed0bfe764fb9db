package store

import (
	"context"
	"time"
)

// ActivityCount is how many executions of one status were enqueued in one
// interval.
type ActivityCount struct {
	Start  time.Time // the interval's start
	Status Status
	Count  int
}

// ActivityReader is implemented by stores that can count recent executions
// by interval and status, for the console's activity chart. It counts by
// enqueue time, as execution ids sort.
type ActivityReader interface {
	// Activity counts the executions enqueued since since, by status, in
	// intervals of step (aligned to multiples of step since the Unix
	// epoch), oldest first.
	Activity(ctx context.Context, since time.Time, step time.Duration) ([]ActivityCount, error)
}
