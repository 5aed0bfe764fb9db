package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

var _ store.ActivityReader = (*Store)(nil)

// Activity counts the executions enqueued since since by interval and
// status.
func (s *Store) Activity(ctx context.Context, since time.Time, step time.Duration) ([]store.ActivityCount, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	type key struct {
		start  int64
		status store.Status
	}
	ms := max(step.Milliseconds(), 1)
	bound := store.IDAt(since)
	counts := map[key]int{}
	for id, e := range s.executions {
		if id >= bound {
			counts[key{e.ReceivedAt.UnixMilli() / ms * ms, e.Status}]++
		}
	}
	out := make([]store.ActivityCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, store.ActivityCount{Start: time.UnixMilli(k.start).UTC(), Status: k.status, Count: n})
	}
	slices.SortFunc(out, func(a, b store.ActivityCount) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Status, b.Status))
	})
	return out, nil
}
