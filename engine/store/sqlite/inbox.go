package sqlite

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// Enqueue records events as pending executions in one transaction.
func (s *Store) Enqueue(ctx context.Context, events []store.Event) ([]store.Enqueued, error) {
	return s.enqueue(ctx, events, nil)
}

// EnqueueWithCursor is Enqueue plus setting a trigger cursor in the same
// transaction.
func (s *Store) EnqueueWithCursor(ctx context.Context, events []store.Event, cursorKey string, cursor []byte) ([]store.Enqueued, error) {
	return s.enqueue(ctx, events, func(tx *writeTx) error {
		_, err := tx.exec(wSetCursor, cursorKey, cursor)
		return err
	})
}

func (s *Store) enqueue(ctx context.Context, events []store.Event, also writeFunc) ([]store.Enqueued, error) {
	for i, ev := range events {
		if ev.Flow == "" {
			return nil, fmt.Errorf("enqueue: event %d has no flow", i)
		}
	}
	out := make([]store.Enqueued, len(events))
	err := s.w.do(ctx, func(tx *writeTx) error {
		now := time.Now()
		for i, ev := range events {
			var err error
			if out[i], err = s.insertExecution(tx, ev, now); err != nil {
				return err
			}
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) insertExecution(tx *writeTx, ev store.Event, now time.Time) (store.Enqueued, error) {
	received := ev.ReceivedAt
	if received.IsZero() {
		received = now
	}
	id := s.ids.Next(now)
	n, err := tx.changed(wInsertExecution, id, ev.Flow, ev.DedupKey, ev.Type, ev.DefinitionHash,
		ev.Payload, ev.Parent, received.UnixNano())
	if err != nil || n == 1 {
		return store.Enqueued{ID: id}, err
	}
	var existing string
	if err := tx.queryRow(wDedupLookup, ev.Flow, ev.DedupKey).Scan(&existing); err != nil {
		return store.Enqueued{}, fmt.Errorf("enqueue: dedup of (%s, %s): %w", ev.Flow, ev.DedupKey, err)
	}
	return store.Enqueued{ID: existing, Duplicate: true}, nil
}

// Claim marks up to n pending or lease-expired executions as running by
// owner and returns them, oldest first.
func (s *Store) Claim(ctx context.Context, owner string, n int, lease time.Duration) ([]*store.Execution, error) {
	if n <= 0 {
		return nil, nil
	}
	var out []*store.Execution
	err := s.w.do(ctx, func(tx *writeTx) error {
		now := time.Now()
		ids, err := claimable(tx, now, n)
		if err != nil {
			return err
		}
		out = make([]*store.Execution, 0, len(ids))
		for _, id := range ids {
			e, err := scanExecution(tx.queryRow(wClaim, owner, now.Add(lease).UnixNano(), now.UnixNano(), id))
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// claimable returns the ids of the n oldest executions that may be claimed.
func claimable(tx *writeTx, now time.Time, n int) ([]string, error) {
	ids, err := queryIDs(tx, wClaimablePending, n)
	if err != nil {
		return nil, err
	}
	expired, err := queryIDs(tx, wClaimableExpired, now.UnixNano())
	if err != nil || len(expired) == 0 {
		return ids, err
	}
	ids = append(ids, expired...)
	slices.Sort(ids)
	return ids[:min(n, len(ids))], nil
}

func queryIDs(tx *writeTx, q writeStmt, args ...any) ([]string, error) {
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Renew extends the leases owner holds on ids. Ids owner no longer holds
// are reported with store.ErrLeaseLost; the others are renewed regardless.
func (s *Store) Renew(ctx context.Context, owner string, ids []string, lease time.Duration) error {
	return s.w.do(ctx, func(tx *writeTx) error {
		until := time.Now().Add(lease).UnixNano()
		var lost []string
		for _, id := range ids {
			n, err := tx.changed(wRenew, until, id, owner)
			if err != nil {
				return err
			}
			if n == 0 {
				lost = append(lost, id)
			}
		}
		if lost != nil {
			return keep(fmt.Errorf("renew %v: %w", lost, store.ErrLeaseLost))
		}
		return nil
	})
}

// Release gives the executions among ids that owner holds back as pending.
func (s *Store) Release(ctx context.Context, owner string, ids []string) error {
	return s.w.do(ctx, func(tx *writeTx) error {
		for _, id := range ids {
			if _, err := tx.exec(wRelease, id, owner); err != nil {
				return err
			}
		}
		return nil
	})
}

// Depth counts pending executions.
func (s *Store) Depth(ctx context.Context) (int, error) {
	var n int
	err := s.read(rDepth).QueryRowContext(ctx).Scan(&n)
	return n, err
}
