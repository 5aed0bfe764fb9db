package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// ErrNotReplayable is returned by Replay for an execution that cannot run
// again: it has not finished, or it succeeded and Force was not given.
var ErrNotReplayable = errors.New("not replayable")

// ReplayRequest says which execution to replay and from where.
type ReplayRequest struct {
	ID string
	// FromCard re-runs from this card; "" from the last failed card (or the
	// start when none failed).
	FromCard string
	// Force replays an execution that did not fail (succeeded, halted,
	// filtered) too.
	Force bool
}

// Replayed reports what Replay queued.
type Replayed struct {
	Execution *store.Execution
	// FromCard is the card the replay starts at; "" is the start.
	FromCard string
}

// Replay queues a finished execution to run again on the definition it was
// pinned to: cards before the replay's card keep their journaled outputs,
// that card and the ones after it run again. A running engine on the same
// store picks it up. The history CLI, the admin API and the console share
// it.
func Replay(ctx context.Context, st store.Store, req ReplayRequest) (*Replayed, error) {
	ex, err := st.Execution(ctx, req.ID)
	if err != nil {
		return nil, err
	}
	if !ex.Status.Final() {
		return nil, fmt.Errorf("execution %s is %s: only finished executions are replayed: %w", ex.ID, ex.Status, ErrNotReplayable)
	}
	if ex.Status != store.Failed && !req.Force {
		return nil, fmt.Errorf("execution %s %s: replaying it runs its cards again, writes included (a second incident, a second email); force it if that is what you want: %w", ex.ID, ex.Status, ErrNotReplayable)
	}
	journal, err := st.Journal(ctx, ex.ID)
	if err != nil {
		return nil, err
	}
	resets, from, err := replayResets(journal, req.FromCard)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	for i := range resets {
		resets[i].ExecutionID, resets[i].StartedAt, resets[i].EndedAt = ex.ID, now, now
	}
	if err := st.Append(ctx, resets...); err != nil {
		return nil, err
	}
	if err := st.Reopen(ctx, ex.ID); err != nil {
		return nil, err
	}
	return &Replayed{Execution: ex, FromCard: from}, nil
}

// ErrUnknownCard is returned by Replay for a FromCard that did not run.
var ErrUnknownCard = errors.New("card did not run in this execution")

// replayResets returns reset entries for the card to replay from and every
// card instance journaled after it. Without fromCard it replays from the
// last failed card.
func replayResets(journal []store.JournalEntry, fromCard string) ([]store.JournalEntry, string, error) {
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
			if journal[i].Status == store.EntryError {
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
	var resets []store.JournalEntry
	for _, e := range journal[start:] {
		k := [2]string{e.Card, e.Key}
		if seen[k] || e.Status == store.EntryReset {
			continue
		}
		seen[k] = true
		resets = append(resets, store.JournalEntry{Card: e.Card, Key: e.Key, Status: store.EntryReset, Attempt: e.Attempt})
	}
	return resets, from, nil
}
