package runtime_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
)

// countingStore records the cards of each Append call, and those each
// Finish call journals.
type countingStore struct {
	store.Store
	mu       sync.Mutex
	appends  [][]string
	finishes [][]string
}

func cardsOf(entries []store.JournalEntry) []string {
	var cards []string
	for _, e := range entries {
		cards = append(cards, e.Card)
	}
	return cards
}

func (s *countingStore) Append(ctx context.Context, entries ...store.JournalEntry) error {
	s.mu.Lock()
	s.appends = append(s.appends, cardsOf(entries))
	s.mu.Unlock()
	return s.Store.Append(ctx, entries...)
}

func (s *countingStore) Finish(ctx context.Context, id string, status store.Status, output []byte, errMsg string, entries ...store.JournalEntry) error {
	s.mu.Lock()
	s.finishes = append(s.finishes, cardsOf(entries))
	s.mu.Unlock()
	return s.Store.Finish(ctx, id, status, output, errMsg, entries...)
}

const pureFlow = `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "compose" {
    action     = fake.pure
    connection = connection.fake.main
    id         = "compose"
    value      = "hello ${trigger.user}"
  }
  card "skipped" {
    action     = fake.step
    connection = connection.fake.main
    if         = "trigger.user == 'nobody'"
    id         = "skipped"
  }
  card "write" {
    action     = fake.step
    connection = connection.fake.main
    id         = "write"
    value      = card.compose.value
  }
  card "tail" {
    action     = fake.pure
    connection = connection.fake.main
    id         = "tail"
    value      = card.write.value
  }
}
`

// TestLazyJournal: entries of skipped cards and pure actions are written
// with the next durable entry or, at the end, with the outcome (no write of
// their own), in order, never lost.
func TestLazyJournal(t *testing.T) {
	h := newHarness(t, pureFlow)
	cs := &countingStore{Store: h.store}
	h.exec.Store = cs
	res, ex := h.run("f", map[string]any{"user": "u1"})
	if ex.Status != store.Succeeded {
		t.Fatalf("%s: %v", ex.Status, res.Err)
	}
	if diff := cmp.Diff([][]string{{"compose", "skipped", "write"}}, cs.appends); diff != "" {
		t.Errorf("Append calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"tail"}}, cs.finishes); diff != "" {
		t.Errorf("entries journaled by Finish calls (-want +got):\n%s", diff)
	}
	want := []entry{
		{Card: "compose", Attempt: 1, Status: store.EntryOK},
		{Card: "skipped", Attempt: 1, Status: store.EntrySkipped},
		{Card: "write", Attempt: 1, Status: store.EntryOK},
		{Card: "tail", Attempt: 1, Status: store.EntryOK},
	}
	if diff := cmp.Diff(want, entries(h.journal(ex.ID))); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
}

// TestLazyJournalInterrupted: an execution interrupted before its next
// durable entry still journals the pure cards that ran, and does not run
// them again on resume.
func TestLazyJournalInterrupted(t *testing.T) {
	h := newHarness(t, pureFlow)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.fake.on("write", crashIn(cancel))
	ex := h.enqueue("f", "k", map[string]any{"user": "u1"})
	ex = h.interrupt(ctx, ex, "f")
	if diff := cmp.Diff([]entry{
		{Card: "compose", Attempt: 1, Status: store.EntryOK},
		{Card: "skipped", Attempt: 1, Status: store.EntrySkipped},
	}, entries(h.journal(ex.ID))); diff != "" {
		t.Errorf("journal after the interruption (-want +got):\n%s", diff)
	}
	res, stored := h.execute(ex, "f")
	if stored.Status != store.Succeeded {
		t.Fatalf("%s: %v", stored.Status, res.Err)
	}
	if diff := cmp.Diff(map[string]int{"compose": 1, "write": 2, "tail": 1}, h.fake.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

const writeLastFlow = `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "first" {
    action     = fake.step
    connection = connection.fake.main
    id         = "first"
  }
  card "each" {
    action     = fake.step
    connection = connection.fake.main
    for_each   = ["a", "b"]
    id         = "each-${each.key}"
  }
  card "last" {
    action     = fake.step
    connection = connection.fake.main
    id         = "last"
  }
}
`

// TestLastCardJournaledWithFinish: the result of the flow's last card is
// written with the outcome, saving a write; every earlier card with an
// effect, for_each instances included, is durable before the next starts.
func TestLastCardJournaledWithFinish(t *testing.T) {
	h := newHarness(t, writeLastFlow)
	cs := &countingStore{Store: h.store}
	h.exec.Store = cs
	res, ex := h.run("f", map[string]any{"user": "u1"})
	if ex.Status != store.Succeeded {
		t.Fatalf("%s: %v", ex.Status, res.Err)
	}
	if diff := cmp.Diff([][]string{{"first"}, {"each"}, {"each"}}, cs.appends); diff != "" {
		t.Errorf("Append calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"last"}}, cs.finishes); diff != "" {
		t.Errorf("entries journaled by Finish calls (-want +got):\n%s", diff)
	}
	if got := len(h.journal(ex.ID)); got != 4 {
		t.Errorf("journal has %d entries, want 4", got)
	}
}

// TestLastCardFailureIsDurable: a failed attempt of the last card is
// journaled at once, as any failure, before the retry.
func TestLastCardFailureIsDurable(t *testing.T) {
	h := newHarness(t, writeLastFlow)
	cs := &countingStore{Store: h.store}
	h.exec.Store = cs
	h.fake.on("last", fail(1, func() error { return connector.Errorf(connector.Transient, "try again") }))
	res, ex := h.run("f", map[string]any{"user": "u1"})
	if ex.Status != store.Succeeded {
		t.Fatalf("%s: %v", ex.Status, res.Err)
	}
	if diff := cmp.Diff([][]string{{"first"}, {"each"}, {"each"}, {"last"}}, cs.appends); diff != "" {
		t.Errorf("Append calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"last"}}, cs.finishes); diff != "" {
		t.Errorf("entries journaled by Finish calls (-want +got):\n%s", diff)
	}
}

// failFinishOnce is a store whose first Finish fails.
type failFinishOnce struct {
	store.Store
	failed bool
}

func (s *failFinishOnce) Finish(ctx context.Context, id string, status store.Status, output []byte, errMsg string, entries ...store.JournalEntry) error {
	if !s.failed {
		s.failed = true
		return errors.New("database is locked")
	}
	return s.Store.Finish(ctx, id, status, output, errMsg, entries...)
}

// TestFailedFinishKeepsTheLastCard: when the outcome cannot be written,
// the last card's result, which was to ride with it, is journaled on its
// own, so that the execution, run again, does not call the card twice.
func TestFailedFinishKeepsTheLastCard(t *testing.T) {
	h := newHarness(t, writeLastFlow)
	h.exec.Store = &failFinishOnce{Store: h.store}
	ex := h.enqueue("f", "k", map[string]any{"user": "u1"})
	res, stored := h.execute(ex, "f")
	if res.Status != store.Running || stored.Status != store.Running {
		t.Fatalf("after a failed Finish: result %s, stored %s, want running", res.Status, stored.Status)
	}
	if n := len(h.journal(ex.ID)); n != 4 {
		t.Fatalf("journal has %d entries after the failed Finish, want 4 (the last card's too)", n)
	}
	again := *stored
	res, stored = h.execute(&again, "f")
	if stored.Status != store.Succeeded {
		t.Fatalf("%s: %v", stored.Status, res.Err)
	}
	if diff := cmp.Diff(map[string]int{"first": 1, "each-a": 1, "each-b": 1, "last": 1}, h.fake.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}
