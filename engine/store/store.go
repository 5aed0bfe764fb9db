package store

import (
	"errors"
	"fmt"
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
// when it is due. An operator may cancel a pending or waiting execution
// (Worker.Cancel): it ends canceled and no worker claims it again.
const (
	Pending   Status = "pending"   // acknowledged, in the inbox, not yet claimed
	Running   Status = "running"   // claimed by a worker
	Waiting   Status = "waiting"   // parked until WakeAt
	Succeeded Status = "succeeded" // every card ran or was skipped by its condition
	Failed    Status = "failed"    // a card failed and its policy halted the flow
	Halted    Status = "halted"    // a card stopped the flow early on purpose
	Filtered  Status = "filtered"  // the trigger's filter was false: nothing ran
	Canceled  Status = "canceled"  // an operator canceled it while it was pending or waiting
)

// Statuses are every execution status, live ones first: what history
// filters accept.
var Statuses = []Status{Pending, Running, Waiting, Succeeded, Failed, Halted, Filtered, Canceled}

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
	// PinnedByClaim is set only on what a Claim with ClaimOptions.Pin and
	// an Enqueue with EnqueueOptions.Claim return: that claim pinned the
	// execution, which had no definition yet, so it never started and has
	// no journal.
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

// Store is the durable state of an engine: every backend (memory, sqlite,
// postgres) implements all of it, and storetest.Run holds each to it. Its
// users depend on the part they need: Inbox (intake), Worker (running
// executions), History (reading them), Tables and Leases.
//
// Implementations are safe for concurrent use. Writes that return without
// error are durable. No method keeps a reference to its arguments
// (entries, payloads, their bytes) after it returns, even when its context
// ended first: callers reuse them.
type Store interface {
	Inbox
	Worker
	History
	Tables
	Leases
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

// Checker is implemented by stores that can tell that what they are given
// no longer reaches durable storage: a database file removed or replaced
// under the running process, for one. The engine stops intake while Check
// fails, since acknowledging an event the store will lose breaks the
// promise that nothing acknowledged is lost.
type Checker interface {
	// Check returns nil while the store is sound, else why it is not.
	Check() error
}

// CheckEntriesOf returns an error, naming op, when one of entries is not
// a journal entry of execution id: the writes that end, park, reopen or
// wake an execution append only its own entries.
func CheckEntriesOf(op, id string, entries []JournalEntry) error {
	for _, en := range entries {
		if en.ExecutionID != id {
			return fmt.Errorf("%s %s: a journal entry of execution %s", op, id, en.ExecutionID)
		}
	}
	return nil
}
