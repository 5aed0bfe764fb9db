package console

import (
	"encoding/json"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// Step is one card (or one for_each instance of it) on an execution's
// timeline, with its attempts in order.
type Step struct {
	Card, Key string
	Attempts  []Attempt
	// Tries counts the attempts that ran: a wait between two (a retry's
	// backoff, a flow.wait) is journaled too but is no attempt.
	Tries int
	// Status is the last attempt's.
	Status string
	Start  time.Time
	End    time.Time
	// Offset and Width place the step on the timeline's bar, in percent of
	// the execution's span.
	Offset, Width float64
}

// Attempt is one journal entry of a step.
type Attempt struct {
	N          int
	Status     string
	Error      string
	ErrorKind  string
	Start, End time.Time
	Input      string
	Output     string
	// Wait is set for a journaled wait (EntryWaiting) instead of an
	// attempt: until when, and why ("retry" or "wait").
	Wait *Wait
}

// Wait is a card parked until a time.
type Wait struct {
	Until  time.Time
	Reason string
	// Canceled is set when a cancel cut the wait short
	// (store.CanceledWaits): the card never woke.
	Canceled bool
}

// Marker is a line across the timeline: where a replay began.
type Marker struct {
	At    time.Time
	Label string
}

// Timeline is an execution's journal as the execution page draws it.
type Timeline struct {
	Steps   []Step
	Replays []Marker
	// Items are the steps and replay markers in journal order.
	Items []TimelineItem
}

// TimelineItem is a step or a replay marker.
type TimelineItem struct {
	Step   *Step
	Replay *Marker
}

// timeline groups an execution's journal entries into steps: consecutive
// attempts of one card instance form one step; a reset entry (a replay)
// starts new steps after it.
func timeline(ex *store.Execution, journal []store.JournalEntry) Timeline {
	var tl Timeline
	open := map[[2]string]int{} // card instance -> its step since the last replay
	var order []int             // step index per item, -1 for a marker
	cut := store.CanceledWaits(ex.Status, journal)
	for j, e := range journal {
		if e.Status == store.EntryReset {
			if len(order) == 0 || order[len(order)-1] != -1 {
				tl.Replays = append(tl.Replays, Marker{At: e.StartedAt, Label: "Replay from " + e.Card})
				order = append(order, -1)
			}
			clear(open)
			continue
		}
		k := [2]string{e.Card, e.Key}
		i, ok := open[k]
		if !ok {
			tl.Steps = append(tl.Steps, Step{Card: e.Card, Key: e.Key, Start: e.StartedAt})
			i = len(tl.Steps) - 1
			open[k] = i
			order = append(order, i)
		}
		s := &tl.Steps[i]
		a := Attempt{N: e.Attempt, Status: string(e.Status), Error: e.Error, ErrorKind: e.ErrorKind,
			Start: e.StartedAt, End: e.EndedAt, Input: prettyJSON(e.Input), Output: prettyJSON(e.Output)}
		if e.Status == store.EntryWaiting {
			a.Wait = parseWait(e.Output)
			if cut[j] {
				a.Status, a.Wait.Canceled = string(store.EntryWaitCanceled), true
			}
		} else {
			s.Tries++
		}
		s.Attempts = append(s.Attempts, a)
		s.Status, s.End = a.Status, e.EndedAt
	}
	place(&tl, ex)
	m := 0
	for _, i := range order {
		if i < 0 {
			tl.Items = append(tl.Items, TimelineItem{Replay: &tl.Replays[m]})
			m++
			continue
		}
		tl.Items = append(tl.Items, TimelineItem{Step: &tl.Steps[i]})
	}
	return tl
}

// place sets each step's bar within the execution's span.
func place(tl *Timeline, ex *store.Execution) {
	if len(tl.Steps) == 0 {
		return
	}
	start, end := tl.Steps[0].Start, ex.EndedAt
	for _, s := range tl.Steps {
		if s.Start.Before(start) {
			start = s.Start
		}
		if s.End.After(end) {
			end = s.End
		}
	}
	span := end.Sub(start)
	if span <= 0 {
		span = time.Millisecond
	}
	for i := range tl.Steps {
		s := &tl.Steps[i]
		s.Offset = 100 * float64(s.Start.Sub(start)) / float64(span)
		s.Width = max(100*float64(s.End.Sub(s.Start))/float64(span), 0.5)
		if s.Offset+s.Width > 100 {
			s.Width = 100 - s.Offset
		}
	}
}

// cardNames are the cards a replay may start from, in journal order.
func cardNames(journal []store.JournalEntry) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range journal {
		if e.Status != store.EntryReset && !seen[e.Card] {
			seen[e.Card] = true
			out = append(out, e.Card)
		}
	}
	return out
}

// parseWait reads a waiting entry's output, {"until", "reason"}.
func parseWait(out []byte) *Wait {
	var w struct {
		Until  time.Time `json:"until"`
		Reason string    `json:"reason"`
	}
	_ = json.Unmarshal(out, &w)
	return &Wait{Until: w.Until, Reason: w.Reason}
}
