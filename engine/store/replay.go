package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotFinished is returned by Replay for an execution that is pending,
// running or waiting: only a finished execution runs again.
var ErrNotFinished = errors.New("only finished executions are replayed")

// ErrNotFailed is returned by Replay for an execution that did not fail
// (succeeded, halted, filtered), unless forced: its cards would run again,
// writes included (a second incident).
var ErrNotFailed = errors.New("replaying it would run its cards again, writes included")

// ErrUnknownCard is returned by Replay when the card to replay from did
// not run in the execution.
var ErrUnknownCard = errors.New("the card did not run in this execution")

// ReplaysUnforced reports whether Replay queues an execution in status s
// without Force: a failed or canceled one.
func (s Status) ReplaysUnforced() bool { return s == Failed || s == Canceled }

// Replayed reports what Replay queued.
type Replayed struct {
	Execution *Execution
	// FromCard is the first card that runs again; "" when the execution
	// runs again from its start (it had no failed card).
	FromCard string
}

// ReplayOptions say where a replay starts.
type ReplayOptions struct {
	// FromCard is the card to run again from; "" is the last failed card
	// (or, forced, the first card).
	FromCard string
	// Force replays an execution that did not fail.
	Force bool
}

// Replay queues a failed execution to run again on the definition it was
// pinned to. Cards before the last failed card (or FromCard) keep their
// journaled outputs; that card and those journaled after it run again. A
// canceled execution is replayed as a failed one is; without a failed
// card it goes on where it was canceled (the card it waited in, or its
// start). An execution that finished otherwise is replayed only with
// Force. The
// CLI's `cardflow replay` and the admin API share it. It reads the
// execution's history and writes the resets and the reopening in one
// transaction (Worker.Reopen).
func Replay(ctx context.Context, st interface {
	History
	Worker
}, id string, opts ReplayOptions) (Replayed, error) {
	ex, err := st.Execution(ctx, id)
	if err != nil {
		return Replayed{}, err
	}
	if !ex.Status.Final() {
		return Replayed{Execution: ex}, fmt.Errorf("execution %s is %s: %w", ex.ID, ex.Status, ErrNotFinished)
	}
	if !ex.Status.ReplaysUnforced() && !opts.Force {
		return Replayed{Execution: ex}, fmt.Errorf("execution %s %s: %w", ex.ID, ex.Status, ErrNotFailed)
	}
	journal, err := st.Journal(ctx, ex.ID)
	if err != nil {
		return Replayed{}, err
	}
	resets, from, err := replayResets(journal, opts.FromCard)
	if ex.Status == Canceled && opts.FromCard == "" && !opts.Force && !hasFailedCard(journal) {
		// Canceled while it waited or before it started: it goes on
		// where it stopped, and no card that ran runs again.
		resets, from, err = nil, stoppedAt(journal), nil
	}
	if err != nil {
		return Replayed{Execution: ex}, err
	}
	now := time.Now().UTC()
	for i := range resets {
		resets[i].ExecutionID, resets[i].StartedAt, resets[i].EndedAt = ex.ID, now, now
	}
	// One write: a Reopen refused (a concurrent replay reopened it first)
	// or lost leaves no resets behind.
	if err := st.Reopen(ctx, ex.ID, resets...); err != nil {
		return Replayed{}, err
	}
	return Replayed{Execution: ex, FromCard: from}, nil
}

// replayResets returns reset entries for the card to replay from and every
// card instance journaled after it. Without fromCard it replays from the
// last failed card.
func replayResets(journal []JournalEntry, fromCard string) ([]JournalEntry, string, error) {
	start := -1
	if fromCard != "" {
		for i, e := range journal {
			if e.Card == fromCard || strings.HasPrefix(e.Card, fromCard+"/") {
				start = i
				break
			}
		}
		if start < 0 {
			return nil, "", fmt.Errorf("card %q: %w; name one of the cards `cardflow show` lists", fromCard, ErrUnknownCard)
		}
	} else {
		for i := len(journal) - 1; i >= 0; i-- {
			if journal[i].Status == EntryError {
				start = i
				card := journal[i].Card
				for start > 0 && journal[start-1].Card == card {
					start--
				}
				break
			}
		}
		if start < 0 && len(journal) == 0 {
			return nil, "", nil
		}
		if start < 0 {
			start = 0 // no card failed (a forced replay): from the first
		}
	}
	from := journal[start].Card
	seen := map[[2]string]bool{}
	var resets []JournalEntry
	for _, e := range journal[start:] {
		k := [2]string{e.Card, e.Key}
		if seen[k] || e.Status == EntryReset {
			continue
		}
		seen[k] = true
		resets = append(resets, JournalEntry{Card: e.Card, Key: e.Key, Status: EntryReset, Attempt: e.Attempt})
	}
	return resets, from, nil
}

// hasFailedCard reports whether a card attempt in the journal failed.
func hasFailedCard(journal []JournalEntry) bool {
	for _, e := range journal {
		if e.Status == EntryError {
			return true
		}
	}
	return false
}

// stoppedAt is the card an execution was waiting in when it stopped: its
// last entry's, when that is a waiting one; else "" (it had not started).
func stoppedAt(journal []JournalEntry) string {
	if n := len(journal); n > 0 && journal[n-1].Status == EntryWaiting {
		return journal[n-1].Card
	}
	return ""
}
