package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// Enqueue records events as pending executions, all or none, with what
// opts adds (a cursor, claims).
func (s *Store) Enqueue(ctx context.Context, events []store.Event, opts store.EnqueueOptions) ([]store.Enqueued, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out, err := s.enqueueLocked(events, opts.Claim)
	if err != nil {
		return nil, err
	}
	if opts.CursorKey != "" {
		s.cursors[opts.CursorKey] = clone(opts.Cursor)
	}
	return out, nil
}

func (s *Store) enqueueLocked(events []store.Event, c store.Claimant) ([]store.Enqueued, error) {
	for i, ev := range events { // validate first so that a bad event changes nothing
		if ev.Flow == "" {
			return nil, fmt.Errorf("enqueue: event %d has no flow", i)
		}
	}
	now := time.Now().UTC()
	out := make([]store.Enqueued, len(events))
	for i, ev := range events {
		k := dedupKey{ev.Flow, ev.DedupKey}
		if id, ok := s.dedup[k]; ok && ev.DedupKey != "" {
			out[i] = store.Enqueued{ID: id, Duplicate: true}
			continue
		}
		received := ev.ReceivedAt
		if received.IsZero() {
			received = now
		}
		e := &store.Execution{
			ID:             s.ids.Next(now),
			Flow:           ev.Flow,
			DedupKey:       ev.DedupKey,
			Type:           ev.Type,
			DefinitionHash: ev.DefinitionHash,
			Status:         store.Pending,
			Payload:        clone(ev.Payload),
			Parent:         ev.Parent,
			ReceivedAt:     received.UTC(),
			Terms:          sortedTerms(ev.Terms),
		}
		s.executions[e.ID] = e
		s.journals[e.ID] = new(journal)
		if ev.DedupKey != "" {
			s.dedup[k] = e.ID
		}
		out[i] = store.Enqueued{ID: e.ID}
		if c.Max > 0 && ev.DefinitionHash == "" && c.Pin != nil {
			if hash := c.Pin(ev.Flow); hash != "" {
				c.Max--
				e.DefinitionHash, e.Status, e.Owner, e.LeaseUntil = hash, store.Running, c.Owner, now.Add(c.Lease)
				e.Claims, e.StartedAt = 1, now
				out[i].Claimed = cloneExecution(e)
				out[i].Claimed.PinnedByClaim = true
			}
		}
	}
	return out, nil
}

// Claim marks up to n pending or lease-expired executions as running by
// owner and returns them, oldest first, pinning those without a definition
// when opts says how.
func (s *Store) Claim(ctx context.Context, owner string, n int, lease time.Duration, opts store.ClaimOptions) ([]*store.Execution, error) {
	pin := opts.Pin
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	if n <= 0 {
		return nil, nil
	}
	now := time.Now().UTC()
	var claimable []*store.Execution
	for _, e := range s.executions {
		switch {
		case e.Status == store.Pending,
			e.Status == store.Running && !now.Before(e.LeaseUntil),
			e.Status == store.Waiting && !now.Before(e.WakeAt):
			claimable = append(claimable, e)
		}
	}
	slices.SortFunc(claimable, func(a, b *store.Execution) int { return cmp.Compare(a.ID, b.ID) })
	if len(claimable) > n {
		claimable = claimable[:n]
	}
	out := make([]*store.Execution, len(claimable))
	for i, e := range claimable {
		e.Status, e.Owner, e.LeaseUntil, e.WakeAt = store.Running, owner, now.Add(lease), time.Time{}
		e.Claims++
		if e.StartedAt.IsZero() {
			e.StartedAt = now
		}
		pinned := false
		if e.DefinitionHash == "" && pin != nil {
			e.DefinitionHash = pin(e.Flow)
			pinned = e.DefinitionHash != ""
		}
		out[i] = cloneExecution(e)
		out[i].PinnedByClaim = pinned
	}
	return out, nil
}

// Renew extends the leases owner holds on ids. Ids owner no longer holds
// are reported with store.ErrLeaseLost; the others are renewed regardless.
func (s *Store) Renew(ctx context.Context, owner string, ids []string, lease time.Duration) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	until := time.Now().UTC().Add(lease)
	var lost []string
	for _, id := range ids {
		e, ok := s.executions[id]
		if !ok || e.Status != store.Running || e.Owner != owner {
			lost = append(lost, id)
			continue
		}
		e.LeaseUntil = until
	}
	if lost != nil {
		return fmt.Errorf("renew %v: %w", lost, store.ErrLeaseLost)
	}
	return nil
}

// Park sets a running execution waiting until wake, with entries appended.
func (s *Store) Park(ctx context.Context, id string, wake time.Time, entries ...store.JournalEntry) error {
	if err := store.CheckEntriesOf("park", id, entries); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	e, ok := s.executions[id]
	if !ok || e.Status != store.Running {
		return fmt.Errorf("park %s: no running execution: %w", id, store.ErrNotFound)
	}
	s.appendLocked(entries)
	e.Status, e.Owner, e.LeaseUntil, e.WakeAt = store.Waiting, "", time.Time{}, wake.UTC()
	e.Claims = max(e.Claims-1, 0)
	return nil
}

// Release gives the executions among ids that owner holds back as pending.
// A graceful release is not a crash recovery, so it takes back the claim it
// counted.
func (s *Store) Release(ctx context.Context, owner string, ids []string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	for _, id := range ids {
		e, ok := s.executions[id]
		if !ok || e.Status != store.Running || e.Owner != owner {
			continue
		}
		e.Status, e.Owner, e.LeaseUntil = store.Pending, "", time.Time{}
		e.Claims = max(e.Claims-1, 0)
	}
	return nil
}

// Depth counts pending executions.
func (s *Store) Depth(ctx context.Context) (int, error) {
	if err := s.lock(ctx); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.executions {
		if e.Status == store.Pending {
			n++
		}
	}
	return n, nil
}

// sortedTerms is a copy of terms, sorted and without repeats, as the other
// stores return them.
func sortedTerms(terms []string) []string {
	if len(terms) == 0 {
		return nil
	}
	out := slices.Clone(terms)
	slices.Sort(out)
	return slices.Compact(out)
}
