package store

import (
	"context"
	"time"
)

// Worker is the side of a store that runs executions: it claims them,
// keeps their leases, journals their cards and ends them, and keeps the
// flow definitions they are pinned to.
type Worker interface {
	// Claim marks up to n executions as running by owner until now+lease and
	// returns them, oldest first: pending ones, waiting ones whose WakeAt
	// has passed (their WakeAt is cleared), and running ones whose lease
	// expired (their owner died). Claims is incremented.
	Claim(ctx context.Context, owner string, n int, lease time.Duration, opts ClaimOptions) ([]*Execution, error)
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
	// Reopen sets a final execution back to pending for a replay and
	// appends entries (which must be the execution's: the replay's resets)
	// in the same transaction. ErrNotFinished (wrapped) when it is not
	// final (a concurrent replay reopened it first), ErrNotFound when there
	// is none; then nothing is written. Either all of it is written or
	// nothing: two replays of one execution never both append their
	// resets.
	Reopen(ctx context.Context, id string, entries ...JournalEntry) error
	// Cancel ends a pending or waiting execution as Canceled, with reason
	// as its Error and EndedAt now; its WakeAt is cleared and no claim
	// takes it again. It is atomic against Claim: of a Cancel and a Claim
	// of one execution, whichever commits first wins, never both.
	// ErrRunning (wrapped) when a worker holds it, ErrFinished (wrapped)
	// when it is final, ErrNotFound when there is none; then nothing is
	// written.
	Cancel(ctx context.Context, id, reason string) error
	// Wake makes a waiting execution due now, so that the next Claim
	// takes it, and appends entries (which must be the execution's: the
	// waits it cuts short, see store.Wake) in the same transaction. It
	// acts only while the execution still waits until parkedUntil (the
	// WakeAt its caller read with the journal it woke): ErrNotWaiting
	// (wrapped) when it is not waiting or was parked again meanwhile,
	// ErrNotFound when there is none; then nothing is written. Stores
	// that are Notifiers notify their workers.
	Wake(ctx context.Context, id string, parkedUntil time.Time, entries ...JournalEntry) error

	PutDefinition(ctx context.Context, hash string, source []byte) error
	Definition(ctx context.Context, hash string) ([]byte, error)
}

// ClaimOptions say what else a Claim does as it claims. The zero value
// only claims.
type ClaimOptions struct {
	// Pin, when not nil, pins each claimed execution that has no
	// definition hash yet to Pin(flow), unless that is "", and sets its
	// PinnedByClaim: a worker then needs no Pin (no write of its own)
	// before the execution's first card. Pin is called while the claim is
	// being written: it must be quick and must not call the store.
	Pin func(flow string) string
}
