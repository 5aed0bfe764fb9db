package engine

import (
	"context"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// Retention says how long the history of finished executions is kept.
type Retention struct {
	// Keep is how long after it ended an execution is kept; 0 keeps
	// everything forever.
	Keep time.Duration
	// Failed deletes failed executions too once they are Keep old; by
	// default they stay until replayed.
	Failed bool
	// Every is how often the pruner looks for old executions. Default one
	// minute.
	Every time.Duration
}

// retentionLease makes one replica of those sharing a store prune at a time.
const retentionLease = "cardflow.retention"

// prune deletes the history older than the retention period every
// r.Every until ctx ends, on the replica that holds the retention lease.
func (e *Engine) prune(ctx context.Context, r Retention) {
	pr, ok := e.opts.Store.(store.Pruner)
	if !ok || r.Keep <= 0 {
		return
	}
	every := r.Every
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	// Give the lease up on the way out, as pollers do, so that another
	// replica prunes at its next round instead of after the lease's TTL
	// (a rolling restart would otherwise leave nobody pruning for a while).
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := e.opts.Store.ReleaseLease(rctx, retentionLease, e.opts.Owner); err != nil {
			e.log.Warn("releasing the retention lease failed", "err", err)
		}
	}()
	for {
		held, err := e.opts.Store.AcquireLease(ctx, retentionLease, e.opts.Owner, 2*every)
		if err == nil && held {
			p := store.Prune{Before: time.Now().Add(-r.Keep), Failed: r.Failed}
			n, err := store.PruneAll(ctx, pr, p, store.BackgroundPruneShare)
			if n > 0 {
				e.metrics.pruned.Add(float64(n))
				e.log.Info("history pruned", "executions", n, "ended_before", p.Before.UTC().Format(time.RFC3339), "failed_too", r.Failed)
			}
			if err != nil && ctx.Err() == nil {
				e.log.Warn("pruning history failed; trying again later", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
