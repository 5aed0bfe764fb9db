package runtime

import "github.com/cardflow/cardflow/engine/store"

// takePending returns the lazy journal entries still held and forgets
// them, for the caller to write with the execution's outcome (Finish), so
// that they cost no write of their own. r may be nil: no card ran.
func (r *run) takePending() []store.JournalEntry {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	pending := r.pending
	r.pending = nil
	return pending
}
