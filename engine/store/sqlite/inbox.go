package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// Enqueue records events as pending executions in one transaction, with
// what opts adds (a cursor, claims).
func (s *Store) Enqueue(ctx context.Context, events []store.Event, opts store.EnqueueOptions) ([]store.Enqueued, error) {
	var also writeFunc
	if key, cursor := opts.CursorKey, opts.Cursor; key != "" {
		also = func(tx *writeTx) error {
			_, err := tx.exec(wSetCursor, key, cursor)
			return err
		}
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
	packed := make([][]byte, len(events)) // compressed off the writer's goroutine
	for i, ev := range events {
		packed[i] = pack(ev.Payload)
	}
	err := s.w.do(ctx, func(tx *writeTx) error {
		now := time.Now()
		claims := c.Max
		for i, ev := range events {
			var err error
			hash := ""
			if claims > 0 && ev.DefinitionHash == "" && c.Pin != nil {
				hash = c.Pin(ev.Flow)
			}
			if hash == "" {
				out[i], err = s.insertExecution(tx, ev, packed[i], now)
			} else {
				out[i], err = s.insertClaimed(tx, ev, packed[i], now, c, hash)
			}
			if err != nil {
				return err
			}
			if out[i].Claimed != nil {
				claims--
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

// insertExecution inserts ev as a pending execution with payload, its
// payload as stored (see pack), unless it is a duplicate.
func (s *Store) insertExecution(tx *writeTx, ev store.Event, payload []byte, now time.Time) (store.Enqueued, error) {
	received := ev.ReceivedAt
	if received.IsZero() {
		received = now
	}
	id := s.ids.Next(now)
	num, err := inserted(tx.exec(wInsertExecution, id, ev.Flow, textArg(ev.DedupKey), textArg(ev.Type), textArg(ev.DefinitionHash),
		textArg(ev.Parent), received.UnixNano(), textArg(joinTerms(ev.Terms))))
	if err != nil {
		return store.Enqueued{}, err
	}
	if num == 0 {
		return s.duplicate(tx, ev)
	}
	return store.Enqueued{ID: id}, insertPayload(tx, num, payload)
}

// inserted is the number (see migration 0009) of the execution an INSERT
// … ON CONFLICT DO NOTHING inserted, or 0 when it inserted none: numbers
// start at 1.
func inserted(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, err
	}
	return res.LastInsertId()
}

// joinTerms is terms as the executions row holds them: one a line, in
// order, each once, as execution_terms would list them.
func joinTerms(terms []string) string {
	switch len(terms) {
	case 0:
		return ""
	case 1:
		return terms[0]
	}
	sorted := slices.Clone(terms)
	slices.Sort(sorted)
	return strings.Join(slices.Compact(sorted), "\n")
}

// insertPayload stores the payload of a new execution, if it has one.
func insertPayload(tx *writeTx, num int64, payload []byte) error {
	if len(payload) == 0 {
		return nil
	}
	_, err := tx.exec(wInsertPayload, num, payload)
	return err
}

// insertClaimed inserts ev as an execution claimed by c.Owner and pinned
// to hash, unless it is a duplicate, which stays as it is. payload is
// ev.Payload as stored (see pack).
func (s *Store) insertClaimed(tx *writeTx, ev store.Event, payload []byte, now time.Time, c store.Claimant, hash string) (store.Enqueued, error) {
	received := ev.ReceivedAt
	if received.IsZero() {
		received = now
	}
	id := s.ids.Next(now)
	until := now.Add(c.Lease)
	s.leased(until)
	num, err := inserted(tx.exec(wInsertClaimed, id, ev.Flow, textArg(ev.DedupKey), textArg(ev.Type), hash,
		textArg(ev.Parent), received.UnixNano(), c.Owner, until.UnixNano(), now.UnixNano(), textArg(joinTerms(ev.Terms))))
	if err != nil {
		return store.Enqueued{}, err
	}
	if num == 0 {
		return s.duplicate(tx, ev)
	}
	if err := insertPayload(tx, num, payload); err != nil {
		return store.Enqueued{}, err
	}
	s.fresh(id, num)
	// As Execution would read it back (UTC strips the monotonic clock).
	return store.Enqueued{ID: id, Claimed: &store.Execution{
		ID: id, Flow: ev.Flow, DedupKey: ev.DedupKey, Type: ev.Type, DefinitionHash: hash, Status: store.Running,
		Payload: ev.Payload, Parent: ev.Parent, Claims: 1, Owner: c.Owner, LeaseUntil: until.UTC(),
		ReceivedAt: received.UTC(), StartedAt: now.UTC(), PinnedByClaim: true,
	}}, nil
}

// duplicate returns the execution ev duplicates.
func (s *Store) duplicate(tx *writeTx, ev store.Event) (store.Enqueued, error) {
	var existing string
	if err := tx.queryRow(wDedupLookup, ev.Flow, ev.DedupKey).Scan(&existing); err != nil {
		return store.Enqueued{}, fmt.Errorf("enqueue: dedup of (%s, %s): %w", ev.Flow, ev.DedupKey, err)
	}
	return store.Enqueued{ID: existing, Duplicate: true}, nil
}

// Claim marks up to n pending or lease-expired executions as running by
// owner and returns them, oldest first, pinning those without a definition
// when opts says how, in the same statement that claims each.
func (s *Store) Claim(ctx context.Context, owner string, n int, lease time.Duration, opts store.ClaimOptions) ([]*store.Execution, error) {
	pin := opts.Pin
	if n <= 0 {
		return nil, nil
	}
	var out []*store.Execution
	err := s.w.do(ctx, func(tx *writeTx) error {
		now := time.Now()
		cands, err := s.claimable(tx, now, n)
		if err != nil {
			return err
		}
		until := now.Add(lease)
		if len(cands) > 0 {
			s.leased(until)
		}
		out = make([]*store.Execution, len(cands))
		for i, c := range cands {
			e := c.Execution
			if e.DefinitionHash == "" {
				s.fresh(e.ID, c.num) // never pinned, so never started
			}
			if e.DefinitionHash == "" && pin != nil {
				e.DefinitionHash = pin(e.Flow)
				e.PinnedByClaim = e.DefinitionHash != ""
			}
			if _, err := tx.exec(wClaim, owner, until.UnixNano(), now.UnixNano(), e.DefinitionHash, c.num); err != nil {
				return err
			}
			out[i] = e
			// As Execution would read it back (UTC strips the monotonic clock).
			e.Status, e.Owner, e.LeaseUntil, e.WakeAt = store.Running, owner, until.UTC(), time.Time{}
			e.Claims++
			if e.StartedAt.IsZero() {
				e.StartedAt = now.UTC()
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// candidate is an execution that may be claimed, and its number.
type candidate struct {
	*store.Execution
	num int64
}

// claimable returns the n oldest executions that may be claimed: pending,
// or running with a lease that ended, when one may have (see leaseCheck).
func (s *Store) claimable(tx *writeTx, now time.Time, n int) ([]candidate, error) {
	out, err := candidates(tx, nil, wClaimable, n)
	if err != nil {
		return nil, err
	}
	if !now.Before(s.leaseCheck) {
		if out, err = candidates(tx, out, wClaimExpired, now.UnixNano()); err != nil {
			return nil, err
		}
		var next sql.NullInt64
		if err := tx.queryRow(wNextLeaseEnd, now.UnixNano()).Scan(&next); err != nil {
			return nil, err
		}
		s.leaseCheck = now.Add(leaseCheckEvery)
		if next.Valid {
			s.leased(time.Unix(0, next.Int64))
		}
	}
	if !now.Before(s.wakeCheck) {
		if out, err = s.due(tx, out, now, n); err != nil {
			return nil, err
		}
	}
	if len(out) > n || !slices.IsSortedFunc(out, byID) {
		// Expired leases and due waits came after the pending executions.
		slices.SortFunc(out, byID)
		out = out[:min(n, len(out))]
	}
	return out, nil
}

// due appends up to n waiting executions whose wake time has come to out,
// and notes when the next one is due (see Store.wakeCheck).
func (s *Store) due(tx *writeTx, out []candidate, now time.Time, n int) ([]candidate, error) {
	out, err := candidates(tx, out, wClaimDue, now.UnixNano(), n)
	if err != nil {
		return nil, err
	}
	var next sql.NullInt64
	if err := tx.queryRow(wNextWake).Scan(&next); err != nil {
		return nil, err
	}
	s.wakeCheck = now.Add(leaseCheckEvery)
	if next.Valid {
		// Those found here are among them until the claim updates them:
		// the next claim looks again, and finds what this one left.
		s.parked(time.Unix(0, next.Int64))
	}
	return out, nil
}

// candidates appends the executions query q finds to out.
func candidates(tx *writeTx, out []candidate, q writeStmt, args ...any) ([]candidate, error) {
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c candidate
		if c.Execution, err = scanExecution(rows, &c.num); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func byID(a, b candidate) int { return strings.Compare(a.ID, b.ID) }

// Renew extends the leases owner holds on ids. Ids owner no longer holds
// are reported with store.ErrLeaseLost; the others are renewed regardless.
func (s *Store) Renew(ctx context.Context, owner string, ids []string, lease time.Duration) error {
	return s.w.do(ctx, func(tx *writeTx) error {
		t := time.Now().Add(lease)
		s.leased(t)
		until := t.UnixNano()
		var lost []string
		for _, id := range ids {
			n, err := tx.changed(wRenew, until, id, owner)
			if err != nil {
				return err
			}
			if n == 0 {
				lost = append(lost, id)
				delete(s.seqs, id)
			}
		}
		if lost != nil {
			return keep(fmt.Errorf("renew %v: %w", lost, store.ErrLeaseLost))
		}
		return nil
	})
}

// Park sets a running execution waiting until wake and appends entries, in
// one transaction.
func (s *Store) Park(ctx context.Context, id string, wake time.Time, entries ...store.JournalEntry) error {
	if err := store.CheckEntriesOf("park", id, entries); err != nil {
		return err
	}
	entries = packEntries(entries)
	return s.w.do(ctx, func(tx *writeTx) error {
		n, err := tx.changed(wPark, wake.UnixNano(), id)
		if err == nil && n == 0 {
			return keep(notFound("park " + id + ": running execution"))
		}
		if err != nil {
			return err
		}
		s.parked(wake)
		// All or nothing, as Finish.
		err = unkeep(s.appendEntries(tx, entries))
		delete(s.seqs, id) // claimed again, it looks its seq up
		return err
	})
}

// Release gives the executions among ids that owner holds back as pending.
func (s *Store) Release(ctx context.Context, owner string, ids []string) error {
	return s.w.do(ctx, func(tx *writeTx) error {
		for _, id := range ids {
			if _, err := tx.exec(wRelease, id, owner); err != nil {
				return err
			}
			delete(s.seqs, id)
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
