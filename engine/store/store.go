package store

import (
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
