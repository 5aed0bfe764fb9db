package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// DefaultParkAfter is the longest wait an execution spends on its worker.
// A wait longer than this (a retry's backoff, a rate limit's reset, a
// flow.wait card) parks the execution in the store instead: its worker is
// given back, and a claim takes the execution again when it is due. A
// worker that sleeps through a 20 s rate-limit reset is a worker the other
// flows do not have.
const DefaultParkAfter = time.Second

// NeverPark as Executor.ParkAfter waits on the worker however long the wait
// (flow tests, whose clock is a fake that does not sleep).
const NeverPark time.Duration = -1

// Reasons for a wait, as the journal's waiting entries name them.
const (
	waitCard  = "wait"  // a flow.wait card (an action that returned *connector.Wait)
	waitRetry = "retry" // the backoff before a card's next attempt
)

// parkError ends a run that waits until a time: the executor parks the
// execution in the store rather than finishing it. It travels up through
// inline helper flows and for_each instances as an error does, and is
// never journaled as a failure.
type parkError struct{ until time.Time }

func (p *parkError) Error() string { return "waiting until " + p.until.UTC().Format(time.RFC3339) }

// parkedUntil reports whether err means the run waits, and until when: err
// is a parkError, wrapped or not, or joins several (the instances of a
// for_each card) and nothing else, when the earliest wake time counts.
func parkedUntil(err error) (time.Time, bool) {
	switch e := err.(type) {
	case nil:
		return time.Time{}, false
	case *parkError:
		return e.until, true
	case interface{ Unwrap() []error }:
		var first time.Time
		for _, err := range e.Unwrap() {
			until, ok := parkedUntil(err)
			if !ok {
				return time.Time{}, false // a real failure beside the waits
			}
			if first.IsZero() || until.Before(first) {
				first = until
			}
		}
		return first, !first.IsZero()
	case interface{ Unwrap() error }:
		return parkedUntil(e.Unwrap())
	}
	return time.Time{}, false
}

// waitOutput is the output of a waiting journal entry.
type waitOutput struct {
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"`
	// Since is when the card's first attempt started, for a retry's wait:
	// the card's retries span parks, and a card that gives up says how long
	// it tried.
	Since time.Time `json:"since,omitzero"`
}

// parkAfter is the executor's threshold, with its default.
func (x *Executor) parkAfter() time.Duration {
	switch {
	case x.ParkAfter == 0:
		return DefaultParkAfter
	case x.ParkAfter < 0:
		return time.Duration(1<<63 - 1)
	}
	return x.ParkAfter
}

// wait waits until until before the card instance's attempt: on the worker
// when the wait is short, else it journals a waiting entry (held, to be
// written with the park) and returns a parkError.
func (r *run) wait(ctx context.Context, name, key string, attempt int, until time.Time, reason string, since time.Time) error {
	now := r.x.Clock.Now()
	d := until.Sub(now)
	switch {
	case d <= 0 && reason == waitCard:
		return nil // a time that has passed
	case d <= r.x.parkAfter() || r.unstored:
		return r.x.Clock.Sleep(ctx, d)
	}
	w := waitOutput{Until: until.UTC(), Reason: reason}
	if !since.IsZero() {
		w.Since = since.UTC()
	}
	out, _ := json.Marshal(w)
	entry := store.JournalEntry{
		ExecutionID: r.ex.ID, Card: name, Key: key, Attempt: attempt, Status: store.EntryWaiting,
		Output: out, StartedAt: now, EndedAt: now,
	}
	if err := r.journal(ctx, true, entry); err != nil {
		return err
	}
	r.log.logger().Info("card waits: the execution is parked", "card", name, "key", key, "until", until.UTC(), "reason", reason)
	return &parkError{until: until}
}

// resumeWait is where a card instance that was parked picks up: the
// attempt it makes next, for a flow.wait card the time it waited until
// (Call.Woke), and for a retry when its first attempt started. An instance
// woken early (another instance of its for_each was due first) waits
// again. One that never waited starts at its first attempt.
func (r *run) resumeWait(ctx context.Context, name, key string) (attempt int, woke, since time.Time, err error) {
	e, ok := r.waits[journalKey{name, key}]
	if !ok {
		return 1, time.Time{}, time.Time{}, nil
	}
	var w waitOutput
	if json.Unmarshal(e.Output, &w) != nil || w.Until.IsZero() {
		return 1, time.Time{}, time.Time{}, nil
	}
	switch d := w.Until.Sub(r.x.Clock.Now()); {
	case d > r.x.parkAfter():
		return 0, time.Time{}, time.Time{}, &parkError{until: w.Until} // its entry is in the journal already
	case d > 0:
		if err := r.x.Clock.Sleep(ctx, d); err != nil {
			return 0, time.Time{}, time.Time{}, err
		}
	}
	if w.Reason == waitCard {
		woke = w.Until
	}
	return max(e.Attempt, 1), woke, w.Since, nil
}

// park records that the execution waits until its run's wake time, with
// the journal entries the run still holds, and gives the worker back.
func (x *Executor) park(ctx context.Context, ex *store.Execution, res Result, r *run, log *execLogger) Result {
	until, _ := parkedUntil(res.Err)
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	pending := r.takePending()
	markEnding(ctx)
	if err := x.Store.Park(fctx, ex.ID, until, pending...); err != nil {
		log.logger().Error("parking the execution failed", "err", err)
		if len(pending) > 0 && !errors.Is(err, store.ErrNotFound) {
			if aerr := x.Store.Append(fctx, pending...); aerr != nil {
				log.logger().Error("journaling the last cards failed", "err", aerr)
			}
		}
		return Result{Status: store.Running, Err: err}
	}
	log.logger().Info("execution waits", "until", until.UTC())
	return Result{Status: store.Waiting, Err: res.Err}
}
