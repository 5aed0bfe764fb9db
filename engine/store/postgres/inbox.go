package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cardflow/cardflow/engine/store"
)

// insertExecution inserts a pending execution unless its (flow, dedup_key)
// exists; it returns the new id with false, or the existing one with true.
// The existing row is read with the statement's snapshot: one that another
// transaction committed meanwhile is found by dedupLookup afterwards.
const insertExecution = `WITH ins AS (
	INSERT INTO executions (id, flow, dedup_key, type, definition_hash, status, payload, parent, received_at)
	VALUES ($1, $2, NULLIF($3, ''), $4, $5, 'pending', $6, $7, $8)
	ON CONFLICT DO NOTHING
	RETURNING id),
terms AS (INSERT INTO execution_terms (term, execution_id) SELECT DISTINCT unnest($9::text[]), id FROM ins)
SELECT id, false FROM ins
UNION ALL
SELECT id, true FROM executions WHERE flow = $2 AND dedup_key = NULLIF($3, '') AND NOT EXISTS (SELECT 1 FROM ins)`

// insertClaimed is insertExecution for an execution claimed as it is
// enqueued (EnqueueOptions.Claim): running, pinned, owned and leased from the
// start, on the database's clock as claims are. A duplicate stays as it is.
const insertClaimed = `WITH ins AS (
	INSERT INTO executions (id, flow, dedup_key, type, definition_hash, status, payload, parent, received_at,
		owner, lease_until, claims, started_at)
	VALUES ($1, $2, NULLIF($3, ''), $4, $5, 'running', $6, $7, $8, $9, now() + $10 * interval '1 microsecond', 1, now())
	ON CONFLICT DO NOTHING
	RETURNING id, lease_until, started_at),
terms AS (INSERT INTO execution_terms (term, execution_id) SELECT DISTINCT unnest($11::text[]), id FROM ins)
SELECT id, false, lease_until, started_at FROM ins
UNION ALL
SELECT id, true, NULL, NULL FROM executions WHERE flow = $2 AND dedup_key = NULLIF($3, '') AND NOT EXISTS (SELECT 1 FROM ins)`

const dedupLookup = `SELECT id FROM executions WHERE flow = $1 AND dedup_key = $2`

const setCursor = `INSERT INTO cursors (key, cursor) VALUES ($1, $2)
	ON CONFLICT (key) DO UPDATE SET cursor = excluded.cursor`

// Enqueue records events as pending executions in one transaction, with
// what opts adds (a cursor, claims). Which events to claim is decided
// before the statements are sent: a duplicate among them leaves its claim
// unused.
func (s *Store) Enqueue(ctx context.Context, events []store.Event, opts store.EnqueueOptions) ([]store.Enqueued, error) {
	var also writeFunc
	if key, cursor := opts.CursorKey, opts.Cursor; key != "" {
		also = func(b *batch) { b.exec(setCursor, []any{key, cursor}, nil) }
	}
	return s.enqueue(ctx, events, opts.Claim, also)
}

func (s *Store) enqueue(ctx context.Context, events []store.Event, c store.Claimant, also writeFunc) ([]store.Enqueued, error) {
	for i, ev := range events {
		if ev.Flow == "" {
			return nil, fmt.Errorf("enqueue: event %d has no flow", i)
		}
	}
	out := make([]store.Enqueued, len(events))
	// hashes[i] is what events[i] is claimed on; "" leaves it pending.
	hashes := make([]string, len(events))
	pending := false
	for i, ev := range events {
		if c.Max > 0 && ev.DefinitionHash == "" && c.Pin != nil {
			if hashes[i] = c.Pin(ev.Flow); hashes[i] != "" {
				c.Max--
			}
		}
		pending = pending || hashes[i] == ""
	}
	var key string // the same event from two callers goes through one writer
	if len(events) > 0 {
		key = events[0].Flow + "\x00" + events[0].DedupKey
	}
	err := s.writer(key).do(ctx, func(b *batch) {
		clear(out)
		now := time.Now()
		for i, ev := range events {
			received := ev.ReceivedAt
			if received.IsZero() {
				received = now
			}
			id := s.ids.Next(now)
			if hashes[i] == "" {
				args := []any{id, ev.Flow, ev.DedupKey, ev.Type, ev.DefinitionHash, ev.Payload, ev.Parent, received, ev.Terms}
				b.query(insertExecution, args, func(rows pgx.Rows) error {
					return rows.Scan(&out[i].ID, &out[i].Duplicate)
				})
				continue
			}
			args := []any{id, ev.Flow, ev.DedupKey, ev.Type, hashes[i], ev.Payload, ev.Parent, received, c.Owner, micros(c.Lease), ev.Terms}
			b.query(insertClaimed, args, func(rows pgx.Rows) error {
				var lease, start *time.Time
				if err := rows.Scan(&out[i].ID, &out[i].Duplicate, &lease, &start); err != nil || out[i].Duplicate {
					return err
				}
				out[i].Claimed = &store.Execution{
					ID: out[i].ID, Flow: ev.Flow, DedupKey: ev.DedupKey, Type: ev.Type, DefinitionHash: hashes[i],
					Status: store.Running, Payload: ev.Payload, Parent: ev.Parent, Claims: 1, Owner: c.Owner,
					LeaseUntil: timeOf(lease), ReceivedAt: received.UTC().Truncate(time.Microsecond), StartedAt: timeOf(start),
					PinnedByClaim: true,
				}
				return nil
			})
		}
		if also != nil {
			also(b)
		}
		// Other replicas are told of what they may claim.
		b.notify = pending
	})
	if err != nil {
		return nil, err
	}
	for i, ev := range events {
		if out[i].ID != "" {
			continue
		}
		// A concurrent transaction inserted the same (flow, dedup_key)
		// after this one's snapshot: it has committed by now.
		if err := s.pool.QueryRow(ctx, dedupLookup, ev.Flow, ev.DedupKey).Scan(&out[i].ID); err != nil {
			return nil, fmt.Errorf("enqueue: dedup of (%s, %s): %w", ev.Flow, ev.DedupKey, err)
		}
		out[i].Duplicate = true
	}
	return out, nil
}

// claimSQL claims the oldest pending executions, waiting ones that are due
// and running ones whose lease ended, skipping rows another replica is claiming right now. Each
// kind is read on its own partial index, merged, and the first $3 claimed.
var claimSQL = `WITH pending AS (
	SELECT id FROM executions WHERE status = 'pending' ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
), expired AS (
	SELECT id FROM executions WHERE status = 'running' AND lease_until <= now() ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
), due AS (
	SELECT id FROM executions WHERE status = 'waiting' AND wake_at <= now() ORDER BY wake_at, id LIMIT $3 FOR UPDATE SKIP LOCKED
), pick AS (
	SELECT id FROM pending UNION ALL SELECT id FROM expired UNION ALL SELECT id FROM due ORDER BY id LIMIT $3
)
UPDATE executions e
SET status = 'running', owner = $1, lease_until = now() + $2 * interval '1 microsecond',
	claims = e.claims + 1, started_at = COALESCE(e.started_at, now()), wake_at = NULL
FROM pick WHERE e.id = pick.id
RETURNING ` + columns("e")

// Claim marks up to n pending or lease-expired executions as running by
// owner and returns them, oldest first. The lease runs on the database's
// clock, which every replica shares. With opts.Pin it also pins the
// claimed executions that have no definition yet. The pins are written
// after the claim, in one group-committed write: should that fail, the
// executions are returned unpinned, for their worker to pin, and the error
// is dropped.
func (s *Store) Claim(ctx context.Context, owner string, n int, lease time.Duration, opts store.ClaimOptions) ([]*store.Execution, error) {
	out, err := s.claim(ctx, owner, n, lease)
	if err != nil || opts.Pin == nil {
		return out, err
	}
	pin := opts.Pin
	var ids, hashes []string
	var pinned []*store.Execution
	for _, e := range out {
		if e.DefinitionHash != "" {
			continue
		}
		if h := pin(e.Flow); h != "" {
			ids, hashes, pinned = append(ids, e.ID), append(hashes, h), append(pinned, e)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	// Only the lease holder pins: no other write races this one.
	err = s.writer(ids[0]).do(ctx, func(b *batch) {
		b.exec(`UPDATE executions e SET definition_hash = v.hash
			FROM unnest($1::text[], $2::text[]) AS v(id, hash) WHERE e.id = v.id AND e.definition_hash = ''`,
			[]any{ids, hashes}, nil)
	})
	if err == nil {
		for i, e := range pinned {
			e.DefinitionHash, e.PinnedByClaim = hashes[i], true
		}
	}
	return out, nil
}

func (s *Store) claim(ctx context.Context, owner string, n int, lease time.Duration) ([]*store.Execution, error) {
	if n <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, claimSQL, owner, micros(lease), n)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.Execution, error) {
		return scanExecution(row)
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *store.Execution) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out, nil
}

// Renew extends the leases owner holds on ids. Ids owner no longer holds
// are reported with store.ErrLeaseLost; the others are renewed regardless.
func (s *Store) Renew(ctx context.Context, owner string, ids []string, lease time.Duration) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := s.pool.Query(ctx, `UPDATE executions SET lease_until = now() + $3 * interval '1 microsecond'
		WHERE id = ANY($1) AND status = 'running' AND owner = $2 RETURNING id`, ids, owner, micros(lease))
	if err != nil {
		return err
	}
	renewed, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	if len(renewed) == len(ids) {
		return nil
	}
	var lost []string
	for _, id := range ids {
		if !slices.Contains(renewed, id) {
			lost = append(lost, id)
		}
	}
	return fmt.Errorf("renew %v: %w", lost, store.ErrLeaseLost)
}

// Release gives the executions among ids that owner holds back as pending.
// A graceful release is not a crash recovery: it takes back its claim.
func (s *Store) Release(ctx context.Context, owner string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.writer(ids[0]).do(ctx, func(b *batch) {
		b.exec(`UPDATE executions SET status = 'pending', owner = '', lease_until = NULL, claims = GREATEST(claims - 1, 0)
			WHERE id = ANY($1) AND status = 'running' AND owner = $2`, []any{ids, owner}, nil)
		b.notify = true
	})
}

// Depth counts pending executions.
func (s *Store) Depth(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM executions WHERE status = 'pending'`).Scan(&n)
	return n, err
}
