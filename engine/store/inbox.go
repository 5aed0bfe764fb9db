package store

import (
	"context"
	"time"
)

// Inbox is the intake's side of a store: it turns trigger events into
// pending executions and keeps the pollers' cursors.
type Inbox interface {
	// Enqueue records events as pending executions, in one transaction.
	// opts may be nil; see EnqueueOptions for what else it can write in
	// the same transaction.
	Enqueue(ctx context.Context, events []Event, opts *EnqueueOptions) ([]Enqueued, error)
	// Depth counts pending executions (the inbox depth, for backpressure).
	Depth(ctx context.Context) (int, error)
	Cursor(ctx context.Context, key string) ([]byte, error) // nil, nil when unset
	SetCursor(ctx context.Context, key string, cursor []byte) error
}

// EnqueueOptions say what else an Enqueue writes in its transaction. A nil
// *EnqueueOptions, like the zero value, enqueues and nothing more (as
// database/sql's BeginTx takes a nil *TxOptions for the defaults). The
// fields combine: a poller may set a cursor and claim at once.
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

// Event is a trigger event to enqueue: it becomes a pending execution.
type Event struct {
	Flow string
	// DedupKey is unique per flow: enqueuing an existing (Flow, DedupKey)
	// again creates nothing.
	DedupKey string
	Type     string
	Payload  []byte // JSON of the trigger value
	// DefinitionHash pins the execution to a definition at enqueue time
	// (replays, helper flows). Empty: the worker pins it when it starts.
	DefinitionHash string
	// Parent is the execution that called this one (flow.call), if any.
	Parent     string
	ReceivedAt time.Time
	// Terms are the event's correlation values (a user's login, an
	// incident number), lowercased, by which history finds its execution
	// (Filter.Text). The intake makes them; the store only keeps them.
	Terms []string
}

// Enqueued reports what Enqueue did with one event.
type Enqueued struct {
	ID        string // the execution id, new or existing
	Duplicate bool   // the (Flow, DedupKey) existed already
	// Claimed is the new execution as EnqueueOptions.Claim claimed it, for
	// its claimant to run; nil when it was left pending (and always without
	// a Claim).
	Claimed *Execution
}

// Claimant asks Enqueue to claim, in the same transaction, up to Max of
// the new executions, in event order, for Owner, as a Claim with
// ClaimOptions.Pin would: running until now+Lease, Claims 1, pinned to
// Pin(flow), PinnedByClaim set; each is returned in its Enqueued's
// Claimed. Duplicates, events that carry a DefinitionHash and events whose
// flow Pin leaves unpinned are enqueued as pending and not claimed. A
// claimant that dies before finishing what it claimed loses it after its
// lease, as with any claim.
type Claimant struct {
	Owner string
	Lease time.Duration
	// Max is how many of the new executions may be claimed, at most.
	Max int
	// Pin returns the definition hash a new execution of flow is claimed
	// on, or "" to leave it pending for a later claim. It is called while
	// the enqueue is being written: it must be quick and must not call the
	// store.
	Pin func(flow string) string
}
