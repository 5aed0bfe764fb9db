package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// setWALSizes sets the checkpointer's sizes for t (0 keeps one as it is)
// and sets them back when t ends. Called before the store opens, so that
// they are set back after it closes: its checkpointer reads them.
func setWALSizes(t *testing.T, restart, keep, step int64) {
	old := [3]int64{walRestartBytes, walKeepBytes, walShrinkStep}
	t.Cleanup(func() { walRestartBytes, walKeepBytes, walShrinkStep = old[0], old[1], old[2] })
	for _, v := range []struct {
		to  *int64
		set int64
	}{{&walRestartBytes, restart}, {&walKeepBytes, keep}, {&walShrinkStep, step}} {
		if v.set != 0 {
			*v.to = v.set
		}
	}
}

// walLoad runs n writers of walLifecycle on s, without a pause, until
// stop: what the WAL tests put the checkpointer under. A writer's error
// fails the test and stops the load.
type walLoad struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ended  atomic.Int64 // executions the writers ended
}

func startWALLoad(t *testing.T, s *Store, n int) *walLoad {
	l := &walLoad{}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	payload := oktaEvent()
	for w := range n {
		l.wg.Go(func() {
			owner := fmt.Sprintf("worker-%d", w)
			for i := 0; l.ctx.Err() == nil; i++ {
				if err := walLifecycle(s, owner, fmt.Sprintf("%d-%d", w, i), payload, i%2 == 0); err != nil {
					if l.ctx.Err() == nil {
						t.Error(err)
						l.cancel()
					}
					return
				}
				l.ended.Add(1)
			}
		})
	}
	t.Cleanup(l.stop) // before the store closes: openTemp's cleanup was registered first
	return l
}

// stop ends the load and waits for the writers; a second call does nothing.
func (l *walLoad) stop() {
	l.cancel()
	l.wg.Wait()
}

// holdSnapshot begins a read transaction on db and reads from it, so that
// it holds a snapshot of the store (and pins the WAL) until rolled back,
// as a backup does while it copies. It returns the executions it saw.
func holdSnapshot(t *testing.T, ctx context.Context, db *sql.DB) (*sql.Tx, int) {
	t.Helper()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM executions").Scan(&n); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	return tx, n
}
