package store

import "context"

// Inbox is the intake's side of a store: it turns trigger events into
// pending executions and keeps the pollers' cursors.
type Inbox interface {
	// Enqueue records events as pending executions, in one transaction,
	// and what opts adds to it.
	Enqueue(ctx context.Context, events []Event, opts EnqueueOptions) ([]Enqueued, error)
	// Depth counts pending executions (the inbox depth, for backpressure).
	Depth(ctx context.Context) (int, error)
	Cursor(ctx context.Context, key string) ([]byte, error) // nil, nil when unset
	SetCursor(ctx context.Context, key string, cursor []byte) error
}

// EnqueueOptions say what else an Enqueue writes in its transaction. The
// zero value enqueues and nothing more. The fields combine: a poller may
// set a cursor and claim at once.
type EnqueueOptions struct {
	// CursorKey, when not "", names a trigger cursor that the enqueue sets
	// to Cursor, so that a poller that crashes neither skips nor repeats
	// events. Cursor may be nil.
	CursorKey string
	Cursor    []byte
	// Claim claims new executions as they are enqueued, for a worker that
	// has room to run them now: this saves a claim's write and its wait.
	// The zero Claimant (Max 0) claims none. See Claimant.
	Claim Claimant
}
