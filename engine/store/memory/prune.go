package memory

import (
	"context"
	"slices"

	"github.com/cardflow/cardflow/engine/store"
)

var _ store.Pruner = (*Store)(nil)

// Prune deletes up to a batch of the executions p selects, oldest first,
// with their journals and dedup keys.
func (s *Store) Prune(ctx context.Context, p store.Prune) (int, error) {
	if err := s.lock(ctx); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	ids := s.prunableLocked(p)
	slices.Sort(ids)
	if len(ids) > p.Batch() {
		ids = ids[:p.Batch()]
	}
	for _, id := range ids {
		e := s.executions[id]
		if e.DedupKey != "" && s.dedup[dedupKey{e.Flow, e.DedupKey}] == id {
			delete(s.dedup, dedupKey{e.Flow, e.DedupKey})
		}
		delete(s.executions, id)
		delete(s.journals, id)
	}
	return len(ids), nil
}

// Prunable counts the executions Prune would delete.
func (s *Store) Prunable(ctx context.Context, p store.Prune) (int, error) {
	if err := s.lock(ctx); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	return len(s.prunableLocked(p)), nil
}

// prunableLocked lists the executions p selects; s.mu is held.
func (s *Store) prunableLocked(p store.Prune) []string {
	statuses := p.Statuses()
	var ids []string
	for id, e := range s.executions {
		if slices.Contains(statuses, e.Status) && !e.EndedAt.IsZero() && e.EndedAt.Before(p.Before) {
			ids = append(ids, id)
		}
	}
	return ids
}
