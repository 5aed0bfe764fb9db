package store

import "context"

// History is the side of a store that reads what ran: the console, the
// admin API and `cardflow history` read executions and their journals
// through it.
type History interface {
	// Execution returns one execution, with its payload and terms;
	// ErrNotFound when there is none.
	Execution(ctx context.Context, id string) (*Execution, error)
	// Journal returns an execution's journal in Seq order.
	Journal(ctx context.Context, id string) ([]JournalEntry, error)
	// Executions returns the executions f selects, newest first.
	Executions(ctx context.Context, f Filter) ([]*Execution, error)
}
