package store

import (
	"context"
	"time"
)

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

// Filter selects executions for history, newest first.
type Filter struct {
	Flow   string
	Status Status
	Since  time.Time // received at or after, if set
	// Before pages by keyset: only executions whose id sorts before it
	// (the last id of the previous page). IDAt(t) as Before selects the
	// executions enqueued before t: ids sort by enqueue time.
	Before string
	// Text finds executions by a correlation term that starts with it,
	// compared in lower case: "alice" finds the event whose target's login
	// is alice@example.com.
	Text  string
	Limit int // 0: a default of 50
}
