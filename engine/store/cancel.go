package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ErrRunning is returned by Cancel for an execution a worker is running
// (a card is mid-call): it can be canceled once it waits or ends.
var ErrRunning = errors.New("a worker is running it; it can be canceled once it waits or ends")

// ErrFinished is returned by Cancel for an execution that already ended.
var ErrFinished = errors.New("only a pending or waiting execution can be canceled")

// ErrNotWaiting is returned by Wake for an execution that is not waiting:
// only a parked execution is woken early.
var ErrNotWaiting = errors.New("only a waiting execution can be woken")

// CancelReason is the Error of an execution canceled by who (a principal,
// an operator's name), with why when given: "canceled by alice: user left
// before approval". The admin API, the console and `cardflow cancel` word
// it alike.
func CancelReason(who, why string) string {
	if who == "" {
		who = "an operator"
	}
	if why == "" {
		return "canceled by " + who
	}
	return "canceled by " + who + ": " + why
}

// MaxCancelReason bounds the reason of a cancel, in characters (as the
// console's reason field counts them): it is kept as the execution's error.
const MaxCancelReason = 1000

// CheckCancelReason refuses a reason no history should keep: one too long
// or with control characters (a line break forged into a log line).
func CheckCancelReason(reason string) error {
	if n := utf8.RuneCountInString(reason); n > MaxCancelReason {
		return fmt.Errorf("the reason is %d characters; keep it to %d at most", n, MaxCancelReason)
	}
	if strings.IndexFunc(reason, unicode.IsControl) >= 0 {
		return errors.New("the reason has a control character (a line break, a tab); write it on one line")
	}
	return nil
}

// CancelRefusal is the error a store returns when Cancel finds execution
// id in status, which is neither pending nor waiting.
func CancelRefusal(id string, status Status) error {
	if status == Running {
		return fmt.Errorf("execution %s is running: %w", id, ErrRunning)
	}
	return fmt.Errorf("execution %s already finished (%s): %w", id, status, ErrFinished)
}

// WakeRefusal is the error a store returns when Wake finds execution id in
// status, or waiting until another time than its caller read.
func WakeRefusal(id string, status Status) error {
	switch {
	case status == Waiting:
		return fmt.Errorf("execution %s was parked again meanwhile; wake it again: %w", id, ErrNotWaiting)
	case status.Final():
		return fmt.Errorf("execution %s already finished (%s): %w", id, status, ErrNotWaiting)
	}
	return fmt.Errorf("execution %s is %s: %w", id, status, ErrNotWaiting)
}

// Wake makes a waiting execution due now: the next claim takes it, and the
// cards it waits for (a flow.wait card, a retry's backoff) go on at once,
// instead of waiting again until the time they were parked until. The CLI's
// `cardflow wake`, the admin API and the console share it. It reads the
// execution and its journal, then writes the cut-short waits and the new
// wake time in one transaction (Worker.Wake). It returns the execution as
// it read it.
func Wake(ctx context.Context, st interface {
	History
	Worker
}, id string) (*Execution, error) {
	ex, err := st.Execution(ctx, id)
	if err != nil {
		return nil, err
	}
	if ex.Status != Waiting {
		return ex, WakeRefusal(ex.ID, ex.Status)
	}
	journal, err := st.Journal(ctx, ex.ID)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	entries := cutWaits(journal, now)
	for i := range entries {
		entries[i].ExecutionID, entries[i].StartedAt, entries[i].EndedAt = ex.ID, now, now
	}
	if err := st.Wake(ctx, ex.ID, ex.WakeAt, entries...); err != nil {
		return ex, err
	}
	return ex, nil
}

// cutWaits returns, for each card instance the journal leaves waiting (its
// last entry is a waiting one), a waiting entry for the same attempt that
// ends at now: the run resumes the card at once, as if it had waited
// until now. The waiting entry's other fields (its reason, when a retry
// began) are kept as they are.
func cutWaits(journal []JournalEntry, now time.Time) []JournalEntry {
	type key struct{ card, key string }
	last := map[key]int{}
	var order []key
	for i, e := range journal {
		k := key{e.Card, e.Key}
		if _, ok := last[k]; !ok {
			order = append(order, k)
		}
		last[k] = i
	}
	var out []JournalEntry
	for _, k := range order {
		e := journal[last[k]]
		if e.Status != EntryWaiting {
			continue
		}
		var w map[string]json.RawMessage
		if json.Unmarshal(e.Output, &w) != nil || w == nil {
			continue
		}
		until, _ := json.Marshal(now)
		w["until"] = until
		b, err := json.Marshal(w)
		if err != nil {
			continue
		}
		out = append(out, JournalEntry{Card: e.Card, Key: e.Key, Attempt: e.Attempt, Status: EntryWaiting, Output: b})
	}
	return out
}

// EntryWaitCanceled is how views show a waiting entry that a cancel cut
// short: the journal keeps it as EntryWaiting (what happened), the views
// derive this from the execution's final status.
const EntryWaitCanceled EntryStatus = "canceled"

// CanceledWaits reports which waiting entries of a canceled execution's
// journal were cut short by the cancel: those of a card instance with no
// later entry, before any later replay. It is nil unless status is
// Canceled. The history API, `cardflow show` and the console call it so
// that none shows a canceled execution's card as still waiting.
func CanceledWaits(status Status, journal []JournalEntry) map[int]bool {
	if status != Canceled {
		return nil
	}
	var cut map[int]bool
	open := map[[2]string]int{} // card instance -> index of its open waiting entry
	for i, e := range journal {
		if e.Status == EntryReset {
			clear(open)
			continue
		}
		k := [2]string{e.Card, e.Key}
		delete(open, k)
		if e.Status == EntryWaiting {
			open[k] = i
		}
	}
	for _, i := range open {
		if cut == nil {
			cut = map[int]bool{}
		}
		cut[i] = true
	}
	return cut
}
