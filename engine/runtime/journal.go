package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/zclconf/go-cty/cty"
)

// journal appends entry to the journal. Lazy entries (skipped cards,
// pure actions' results) need not be durable before the next card starts:
// after a crash those cards simply run again, with the same result. They
// are held and written with the next durable entry, or when the execution
// ends, which saves a durable write per such card.
func (r *run) journal(ctx context.Context, lazy bool, entry store.JournalEntry) error {
	r.mu.Lock()
	if lazy {
		r.pending = append(r.pending, entry)
		r.mu.Unlock()
		return nil
	}
	var entries []store.JournalEntry
	switch {
	case len(r.pending) > 0:
		entries = append(r.pending, entry)
		r.pending = nil
	case !r.oneBusy:
		// Store.Append, like any callee, keeps no reference to its
		// arguments: one buffer serves the cards that run one at a time.
		r.oneBusy = true
		r.one[0] = entry
		entries = r.one[:]
		defer func() {
			r.mu.Lock()
			r.one[0], r.oneBusy = store.JournalEntry{}, false
			r.mu.Unlock()
		}()
	default:
		entries = []store.JournalEntry{entry}
	}
	r.mu.Unlock()
	return r.x.Store.Append(ctx, entries...)
}

// lazyResult reports whether a successful attempt of card c (journaled
// as name) may be held back. A pure action's may: after a crash it runs
// again with the same result. So may the last card's of the execution's
// own flow: Finish writes it with the outcome, and a crash before that
// runs it again, as one between its action and a write of its own would.
// Not a for_each instance's: the other instances run after it.
func (r *run) lazyResult(c *plan.Card, name string) bool {
	return c.Action.Effect == connector.Pure || c == r.last && c.ForEach == nil && name == c.Name
}

// flush appends the lazy entries still held, even when shutdown
// interrupted the execution: what ran is kept.
func (r *run) flush(ctx context.Context) error {
	r.mu.Lock()
	pending := r.pending
	r.pending = nil
	r.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return r.x.Store.Append(fctx, pending...)
}

// replay returns what the journal says a card instance did, if it ended
// before a crash or replay.
func (r *run) replay(name, key string, outType cty.Type) (cty.Value, error, bool) {
	e, ok := r.done[journalKey{name, key}]
	switch {
	case !ok:
		return cty.NilVal, nil, false
	case e.Status == store.EntrySkipped:
		return cty.NullVal(outType), nil, true
	case bytes.Contains(e.Output, []byte(Redacted)):
		// The journal holds a redacted copy of the output, not the output:
		// run the card again for the real value.
		return cty.NilVal, nil, false
	}
	if stop, ok := journaledStop(e.Output, outType); ok {
		// The card stopped the flow before the crash: stop it again.
		return cty.NilVal, stop, true
	}
	v, err := connector.FromJSON(e.Output, outType)
	return v, err, true
}

// journaledStop recognises the journal output of an attempt that stopped
// the flow (see attempts): an object with a string "stop" attribute where
// the card's output type has none.
func journaledStop(output []byte, outType cty.Type) (*connector.Stop, bool) {
	if outType.IsObjectType() && outType.HasAttribute("stop") {
		return nil, false
	}
	if !bytes.Contains(output, []byte(`"stop"`)) {
		return nil, false
	}
	var s struct {
		Stop   *string `json:"stop"`
		Reason string  `json:"reason"`
		Result any     `json:"result"`
	}
	dec := json.NewDecoder(bytes.NewReader(output))
	dec.UseNumber()
	if dec.Decode(&s) != nil || s.Stop == nil {
		return nil, false
	}
	return &connector.Stop{Status: *s.Stop, Reason: s.Reason, Result: s.Result}, true
}
