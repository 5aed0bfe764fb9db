package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// defaultLimit is the number of executions Executions returns when the
// filter does not say.
const defaultLimit = 50

func notFound(id string) error {
	return fmt.Errorf("execution %s: %w", id, store.ErrNotFound)
}

// Pin records the definition hash an execution runs on.
func (s *Store) Pin(ctx context.Context, id, definitionHash string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	e, ok := s.executions[id]
	if !ok {
		return notFound(id)
	}
	e.DefinitionHash = definitionHash
	return nil
}

// Append adds journal entries, numbering them after the execution's last
// entry. Either all entries are appended or, when one names an unknown
// execution, none.
func (s *Store) Append(ctx context.Context, entries ...store.JournalEntry) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if len(entries) == 1 { // as the runtime appends: one lookup
		en := &entries[0]
		j := s.journals[en.ExecutionID]
		if j == nil {
			return notFound(en.ExecutionID)
		}
		s.appendTo(j, en)
		return nil
	}
	for _, en := range entries {
		if s.journals[en.ExecutionID] == nil {
			return notFound(en.ExecutionID)
		}
	}
	s.appendLocked(entries)
	return nil
}

// appendLocked appends entries of known executions; s.mu is held.
func (s *Store) appendLocked(entries []store.JournalEntry) {
	for i := range entries {
		s.appendTo(s.journals[entries[i].ExecutionID], &entries[i])
	}
}

// appendTo applies en's table writes and appends it to j; s.mu is held.
func (s *Store) appendTo(j *journal, en *store.JournalEntry) {
	for _, w := range en.Tables {
		s.tableWriteLocked(w)
	}
	j.append(en)
}

// Finish appends entries, sets a final status, output and error, and ends
// the claim.
func (s *Store) Finish(ctx context.Context, id string, status store.Status, output []byte, errMsg string, entries ...store.JournalEntry) error {
	if !status.Final() {
		return fmt.Errorf("finish %s: status %q is not final", id, status)
	}
	if err := store.CheckEntriesOf("finish", id, entries); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	e, ok := s.executions[id]
	if !ok {
		return notFound(id)
	}
	s.appendLocked(entries)
	e.Status, e.Output, e.Error = status, clone(output), errMsg
	e.Owner, e.LeaseUntil, e.EndedAt = "", time.Time{}, time.Now().UTC()
	return nil
}

// Reopen sets a final execution back to pending for a replay and appends
// entries; its journal stays so the replay can resume after the last good
// card. A refused Reopen appends nothing.
func (s *Store) Reopen(ctx context.Context, id string, entries ...store.JournalEntry) error {
	if err := store.CheckEntriesOf("reopen", id, entries); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	e, ok := s.executions[id]
	if !ok {
		return notFound(id)
	}
	if !e.Status.Final() {
		return fmt.Errorf("execution %s is %s: %w", id, e.Status, store.ErrNotFinished)
	}
	s.appendLocked(entries)
	e.Status, e.Output, e.Error, e.EndedAt = store.Pending, nil, "", time.Time{}
	return nil
}

// Execution returns one execution, or store.ErrNotFound.
func (s *Store) Execution(ctx context.Context, id string) (*store.Execution, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	e, ok := s.executions[id]
	if !ok {
		return nil, notFound(id)
	}
	return cloneExecution(e), nil
}

// Journal returns an execution's entries in Seq order; store.ErrNotFound
// when the execution does not exist.
func (s *Store) Journal(ctx context.Context, id string) ([]store.JournalEntry, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	j := s.journals[id]
	if j == nil {
		return nil, notFound(id)
	}
	return j.entries(id)
}

// Executions returns the executions matching f, newest first.
func (s *Store) Executions(ctx context.Context, f store.Filter) ([]*store.Execution, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	limit := f.Limit
	if limit <= 0 {
		limit = defaultLimit
	}
	var out []*store.Execution
	for _, e := range s.executions {
		if (f.Flow == "" || e.Flow == f.Flow) &&
			(f.Status == "" || e.Status == f.Status) &&
			(f.Since.IsZero() || !e.ReceivedAt.Before(f.Since)) &&
			(f.Before == "" || e.ID < f.Before) &&
			(f.Text == "" || hasTermPrefix(e.Terms, f.Text)) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *store.Execution) int { return cmp.Compare(b.ID, a.ID) })
	if len(out) > limit {
		out = out[:limit]
	}
	for i, e := range out {
		out[i] = cloneExecution(e)
	}
	return out, nil
}

// hasTermPrefix reports whether a term starts with text, as
// store.TermRange bounds it.
func hasTermPrefix(terms []string, text string) bool {
	lo, hi := store.TermRange(text)
	for _, t := range terms {
		if t >= lo && t < hi {
			return true
		}
	}
	return false
}

// Cancel ends a pending or waiting execution as canceled, with reason as
// its error.
func (s *Store) Cancel(ctx context.Context, id, reason string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	e, ok := s.executions[id]
	if !ok {
		return notFound(id)
	}
	if e.Status != store.Pending && e.Status != store.Waiting {
		return store.CancelRefusal(id, e.Status)
	}
	e.Status, e.Error, e.WakeAt, e.EndedAt = store.Canceled, reason, time.Time{}, time.Now().UTC()
	return nil
}

// Wake makes a waiting execution due now and appends entries, if it still
// waits until parkedUntil. A refused Wake appends nothing.
func (s *Store) Wake(ctx context.Context, id string, parkedUntil time.Time, entries ...store.JournalEntry) error {
	if err := store.CheckEntriesOf("wake", id, entries); err != nil {
		return err
	}
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	e, ok := s.executions[id]
	if !ok {
		return notFound(id)
	}
	if e.Status != store.Waiting || !e.WakeAt.Equal(parkedUntil) {
		return store.WakeRefusal(id, e.Status)
	}
	s.appendLocked(entries)
	e.WakeAt = time.Now().UTC()
	return nil
}
