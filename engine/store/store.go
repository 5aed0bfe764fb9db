package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when an execution, definition or row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrLeaseLost is returned when a claim's lease expired and another owner took it.
var ErrLeaseLost = errors.New("store: lease lost")

// Status is the state of an execution.
type Status string

// Execution statuses. Pending, Running and Waiting are live; the rest are
// final. A waiting execution is parked until its WakeAt (a flow.wait card,
// a retry's long backoff): no worker holds it, and a claim takes it again
// when it is due.
const (
	Pending   Status = "pending"   // acknowledged, in the inbox, not yet claimed
	Running   Status = "running"   // claimed by a worker
	Waiting   Status = "waiting"   // parked until WakeAt
	Succeeded Status = "succeeded" // every card ran or was skipped by its condition
	Failed    Status = "failed"    // a card failed and its policy halted the flow
	Halted    Status = "halted"    // a card stopped the flow early on purpose
	Filtered  Status = "filtered"  // the trigger's filter was false: nothing ran
)

// Final reports whether s is a terminal status.
func (s Status) Final() bool { return s != Pending && s != Running && s != Waiting && s != "" }

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
	// Claimed is the new execution as EnqueueClaimed claimed it, for its
	// claimant to run; nil when it was left pending (and always for Enqueue).
	Claimed *Execution
}

// Claimant asks EnqueueClaimed to claim new executions as it enqueues
// them, for a worker that has room to run them now.
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

// Execution is one run of a flow for one trigger event.
type Execution struct {
	ID             string
	Flow           string
	DedupKey       string
	Type           string
	DefinitionHash string
	Status         Status
	Payload        []byte
	Output         []byte // JSON result of the flow, if any
	Error          string
	Parent         string
	// Claims counts how many times a worker claimed it (1 + crash recoveries).
	Claims     int
	Owner      string
	LeaseUntil time.Time
	ReceivedAt time.Time
	StartedAt  time.Time // zero until first claimed
	EndedAt    time.Time // zero until final
	// Terms are the event's correlation values, sorted; only Execution
	// and Executions fill them in.
	Terms []string
	// WakeAt is when a waiting execution is due; zero unless it waits.
	WakeAt time.Time
	// PinnedByClaim is set only on what ClaimPinned and EnqueueClaimed
	// return: that claim pinned the execution, which had no definition
	// yet, so it never started and has no journal.
	PinnedByClaim bool
}

// EntryStatus is the outcome of one card attempt.
type EntryStatus string

// Journal entry outcomes.
const (
	EntryOK      EntryStatus = "ok"      // the card ran; Output holds its result
	EntryError   EntryStatus = "error"   // the attempt failed; Error holds why
	EntrySkipped EntryStatus = "skipped" // its `if` was false
	EntryReset   EntryStatus = "reset"   // replay discarded earlier entries of this card
	// EntryWaiting parks the card until a time: Attempt is the attempt it
	// makes when it wakes, Output is {"until": RFC 3339, "reason": "wait"
	// or "retry"}.
	EntryWaiting EntryStatus = "waiting"
)

// JournalEntry is one card attempt, appended when the attempt ends. A card
// that was running when the process died has no entry and runs again.
type JournalEntry struct {
	ExecutionID string
	Seq         int    // assigned by the store: order within the execution
	Card        string // card name
	Key         string // each.key for for_each cards, "" otherwise
	Attempt     int    // 1-based
	Status      EntryStatus
	Input       []byte // JSON, with sensitive values redacted
	Output      []byte // JSON
	Error       string
	ErrorKind   string
	StartedAt   time.Time
	EndedAt     time.Time
	// Tables are the flow-table changes the attempt made. The store
	// applies them in the transaction that appends the entry, so that a
	// card's table writes and its result are durable together or not at
	// all; the journal does not keep them (Journal returns none).
	Tables []TableWrite
}

// TableWrite is a change to a row of a flow table.
type TableWrite struct {
	Table, Key string
	Row        []byte // the new row; nil deletes it
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

// Store is the durable state of an engine. Implementations are safe for
// concurrent use. Writes that return without error are durable. No method
// keeps a reference to its arguments (entries, payloads, their bytes)
// after it returns, even when its context ended first: callers reuse them.
type Store interface {
	// Enqueue records events as pending executions, in one transaction.
	Enqueue(ctx context.Context, events []Event) ([]Enqueued, error)
	// EnqueueWithCursor is Enqueue plus setting a trigger cursor in the same
	// transaction, so a poller that crashes neither skips nor repeats.
	EnqueueWithCursor(ctx context.Context, events []Event, cursorKey string, cursor []byte) ([]Enqueued, error)
	// EnqueueClaimed is Enqueue that also claims, in the same transaction,
	// up to c.Max of the new executions, in event order, for c.Owner, as
	// ClaimPinned would: running until now+c.Lease, Claims 1, pinned to
	// c.Pin(flow), PinnedByClaim set; each is returned in its Enqueued's
	// Claimed. This saves a claim's write and its wait. Duplicates, events
	// that carry a DefinitionHash and events whose flow c.Pin leaves
	// unpinned are enqueued as Enqueue does and not claimed. A claimant
	// that dies before finishing what it claimed loses it after its lease,
	// as with any claim.
	EnqueueClaimed(ctx context.Context, events []Event, c Claimant) ([]Enqueued, error)
	// Claim marks up to n executions as running by owner until now+lease and
	// returns them, oldest first: pending ones, waiting ones whose WakeAt
	// has passed (their WakeAt is cleared), and running ones whose lease
	// expired (their owner died). Claims is incremented.
	Claim(ctx context.Context, owner string, n int, lease time.Duration) ([]*Execution, error)
	// ClaimPinned is Claim that also pins each claimed execution that has no
	// definition hash yet to pin(flow), unless that is "", and sets its
	// PinnedByClaim: a worker then needs no Pin (no write of its own) before
	// the execution's first card. pin is called while the claim is being
	// written: it must be quick and must not call the store.
	ClaimPinned(ctx context.Context, owner string, n int, lease time.Duration, pin func(flow string) string) ([]*Execution, error)
	// Renew extends the leases owner holds on ids.
	Renew(ctx context.Context, owner string, ids []string, lease time.Duration) error
	// Pin records the definition hash an execution runs on.
	Pin(ctx context.Context, id, definitionHash string) error
	// Append adds journal entries (Seq is assigned by the store).
	Append(ctx context.Context, entries ...JournalEntry) error
	// Finish sets a final status, output and error; it ends the claim. It
	// appends entries, which must be the execution's, in the same
	// transaction, as Append would: the last journal entries of an
	// execution cost no write of their own. Either all of it is written or
	// nothing.
	Finish(ctx context.Context, id string, status Status, output []byte, errMsg string, entries ...JournalEntry) error
	// Park sets a running execution waiting until wake, appending entries
	// (which must be the execution's) in the same transaction: it ends the
	// claim, and a claim takes it again once wake has passed. Like Release
	// it takes back its claim. store.ErrNotFound when id is not running;
	// then nothing is written.
	Park(ctx context.Context, id string, wake time.Time, entries ...JournalEntry) error
	// Release gives a claimed execution back as pending (graceful shutdown).
	Release(ctx context.Context, owner string, ids []string) error
	// Reopen sets a final execution back to pending for a replay.
	Reopen(ctx context.Context, id string) error

	Execution(ctx context.Context, id string) (*Execution, error)
	Journal(ctx context.Context, id string) ([]JournalEntry, error)
	Executions(ctx context.Context, f Filter) ([]*Execution, error)
	// Depth counts pending executions (the inbox depth, for backpressure).
	Depth(ctx context.Context) (int, error)

	PutDefinition(ctx context.Context, hash string, source []byte) error
	Definition(ctx context.Context, hash string) ([]byte, error)

	Cursor(ctx context.Context, key string) ([]byte, error) // nil, nil when unset
	SetCursor(ctx context.Context, key string, cursor []byte) error

	TableGet(ctx context.Context, table, key string) ([]byte, error) // ErrNotFound
	TablePut(ctx context.Context, table, key string, row []byte) error
	TableDelete(ctx context.Context, table, key string) (bool, error)
	// TableScan calls fn for each row of table in key order until it returns false.
	TableScan(ctx context.Context, table string, fn func(key string, row []byte) bool) error

	// AcquireLease takes or renews the named lease for owner until now+ttl;
	// it reports false when another owner holds an unexpired lease.
	AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, owner string) error

	Close() error
}

// Notifier is implemented by stores that several processes share and that
// can tell a worker when another process made executions pending, so that
// it claims them at once instead of at its next poll. Workers still poll:
// a notification may be lost.
type Notifier interface {
	// Notify returns a channel that receives a value after executions were
	// enqueued, released or reopened, by this process or another. The same
	// channel each call; it is never closed.
	Notify() <-chan struct{}
}
