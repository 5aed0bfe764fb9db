package store

import (
	"context"
	"time"
)

// Prune says which history a Pruner deletes: final executions that ended
// before Before, with their journals and payloads.
type Prune struct {
	Before time.Time
	// Failed deletes failed executions too. Without it they stay, so that
	// someone can still look into them and replay them (a replay that
	// succeeds makes one succeeded, and then it goes).
	Failed bool
	// Limit bounds how many executions one call deletes: a batch, short
	// enough not to hold up intake's writes. 0 means DefaultPruneBatch.
	Limit int
}

// DefaultPruneBatch is the batch of a Prune without a Limit.
const DefaultPruneBatch = 200

// BackgroundPruneShare is the share of the time that cardflow run's
// pruning takes while it works through a backlog (see PruneAll): low
// enough that intake beside it keeps its pace (BenchmarkIntakeWhilePruning
// in the sqlite store measures it), high enough to delete a million old
// executions within hours.
const BackgroundPruneShare = 0.05

// Statuses are the statuses p deletes.
func (p Prune) Statuses() []Status {
	s := []Status{Succeeded, Halted, Filtered, Canceled}
	if p.Failed {
		s = append(s, Failed)
	}
	return s
}

// Batch is p.Limit, or DefaultPruneBatch when it is not set.
func (p Prune) Batch() int {
	if p.Limit > 0 {
		return p.Limit
	}
	return DefaultPruneBatch
}

// Pruner is implemented by stores that delete old history (every store of
// this module). Pending, running and waiting executions are never deleted,
// whatever their age, nor failed ones unless Prune.Failed says so.
type Pruner interface {
	// Prune deletes up to p.Batch() executions that p selects, with their
	// journals and payloads, in one transaction, and returns how many it
	// deleted: fewer than the batch means none are left. A deleted
	// execution's dedup key goes with it: an event delivered again after
	// the retention period runs again.
	Prune(ctx context.Context, p Prune) (int, error)
	// Prunable counts the executions Prune would delete, all batches.
	Prunable(ctx context.Context, p Prune) (int, error)
}

// MinIDAt is the smallest execution id IDSource makes at t: every id made
// before t's millisecond sorts before it. Stores bound their search for
// old executions with it, since an execution ends after its id is made.
func MinIDAt(t time.Time) string {
	return IDAt(t)
}

// PruneAll runs Prune batch after batch until none is left, or ctx ends,
// and returns how many executions it deleted. After each batch it pauses
// so that pruning takes about share of the time (0 < share ≤ 1; 1: no
// pause): each batch is a write the store's other writers (intake, the
// executions' journals) wait behind, and a backlog of a million old
// executions should drain beside them, not before them.
func PruneAll(ctx context.Context, pr Pruner, p Prune, share float64) (int, error) {
	total := 0
	for {
		start := time.Now()
		n, err := pr.Prune(ctx, p)
		total += n
		if err != nil || n < p.Batch() {
			return total, err
		}
		if share <= 0 || share >= 1 {
			continue
		}
		pause := time.Duration(float64(time.Since(start)) * (1 - share) / share)
		select {
		case <-ctx.Done():
			return total, ctx.Err()
		case <-time.After(pause):
		}
	}
}
