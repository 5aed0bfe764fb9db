package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
)

// reclaim claims the execution id again, as a worker does once it is due.
func (h *harness) reclaim(id string) *store.Execution {
	h.t.Helper()
	exs, err := h.store.Claim(context.Background(), "test", 10, time.Minute, store.ClaimOptions{})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, ex := range exs {
		if ex.ID == id {
			return ex
		}
	}
	h.t.Fatalf("claim did not return %s (got %d executions)", id, len(exs))
	return nil
}

// advance moves the fake clock on.
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// wakeAt is the wake time a waiting journal entry records.
func wakeAt(t *testing.T, e store.JournalEntry) time.Time {
	t.Helper()
	var w struct {
		Until  time.Time `json:"until"`
		Reason string    `json:"reason"`
	}
	if err := json.Unmarshal(e.Output, &w); err != nil {
		t.Fatalf("waiting entry output %s: %v", e.Output, err)
	}
	return w.Until
}

// TestRateLimitParks: a 429 whose reset is far off parks the execution in
// the store, with the attempt it makes next and its wake time, instead of
// sleeping on the worker; claimed again after the reset, it makes that
// attempt and goes on.
func TestRateLimitParks(t *testing.T) {
	h := newHarness(t, twoCards(`
    retry {
      attempts = 3
      backoff  = "1s"
    }`), withParking(), withRand(func(int64) int64 { return 0 }))
	var resetAt time.Time
	h.fake.on("a", func(_ context.Context, n int, call *connector.Call) (cty.Value, error) {
		if n == 1 {
			resetAt = h.clock.Now().Add(20 * time.Second)
			return cty.NilVal, &connector.Error{Kind: connector.RateLimited, Status: 429, Message: "too many requests", RetryAt: resetAt}
		}
		if now := h.clock.Now(); now.Before(resetAt) {
			t.Errorf("attempt %d at %s, before the reset at %s", n, now, resetAt)
		}
		return echo(n, call), nil
	})
	res, ex := h.run("f", map[string]any{"user": "u1"})
	if res.Status != store.Waiting || ex.Status != store.Waiting {
		t.Fatalf("status = %s (stored %s), want waiting; err %v", res.Status, ex.Status, res.Err)
	}
	if slept := h.clock.slept(); len(slept) != 0 {
		t.Errorf("the worker slept %v: a long wait must park, not sleep", slept)
	}
	if !ex.WakeAt.Equal(resetAt) || ex.Owner != "" {
		t.Errorf("parked: WakeAt %s, Owner %q, want %s and none", ex.WakeAt, ex.Owner, resetAt)
	}
	j := h.journal(ex.ID)
	want := []entry{
		{Card: "a", Attempt: 1, Status: store.EntryError, ErrorKind: "rate_limited"},
		{Card: "a", Attempt: 2, Status: store.EntryWaiting},
	}
	if diff := cmp.Diff(want, entries(j)); diff != "" {
		t.Fatalf("journal while parked (-want +got):\n%s", diff)
	}
	if got := wakeAt(t, j[1]); !got.Equal(resetAt) {
		t.Errorf("waiting entry until %s, want %s", got, resetAt)
	}

	h.clock.advance(21 * time.Second)
	res, ex = h.execute(h.reclaim(ex.ID), "f")
	if res.Status != store.Succeeded || ex.Status != store.Succeeded {
		t.Fatalf("after the reset: status %s (stored %s), want succeeded; err %v", res.Status, ex.Status, res.Err)
	}
	want = append(want, entry{Card: "a", Attempt: 2, Status: store.EntryOK}, entry{Card: "b", Attempt: 1, Status: store.EntryOK})
	if diff := cmp.Diff(want, entries(h.journal(ex.ID))); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"a": 2, "b": 1}, h.fake.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// TestShortRetryWaitSleeps: a backoff under the threshold is slept on the
// worker, as before: parking costs two writes.
func TestShortRetryWaitSleeps(t *testing.T) {
	h := newHarness(t, twoCards(`
    retry {
      attempts = 3
      backoff  = "500ms"
    }`), withParking(), withRand(func(n int64) int64 { return n - 1 }))
	h.fake.on("a", fail(1, transient))
	res, ex := h.run("f", map[string]any{"user": "u1"})
	if ex.Status != store.Succeeded {
		t.Fatalf("status %s, want succeeded; err %v", ex.Status, res.Err)
	}
	if diff := cmp.Diff([]time.Duration{500 * time.Millisecond}, h.clock.slept()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

const waitFlow = `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "a" {
    action     = fake.step
    connection = connection.fake.main
    id         = "a"
  }
  card "pause" {
    action = flow.wait
    %s
  }
  card "b" {
    action     = fake.step
    connection = connection.fake.main
    id         = "b"
    value      = card.pause.until
  }
}
`

// TestWaitCardParks: flow.wait parks the execution until its time; a claim
// before then parks it again without running anything; after it, the flow
// goes on from the wait, and the cards before it do not run again.
func TestWaitCardParks(t *testing.T) {
	h := newHarness(t, fmt.Sprintf(waitFlow, `for = "30s"`), withParking())
	start := h.clock.Now()
	res, ex := h.run("f", map[string]any{"user": "u1"})
	if res.Status != store.Waiting || ex.Status != store.Waiting {
		t.Fatalf("status = %s (stored %s), want waiting; err %v", res.Status, ex.Status, res.Err)
	}
	until := start.Add(30 * time.Second)
	if !ex.WakeAt.Equal(until) {
		t.Errorf("WakeAt = %s, want %s", ex.WakeAt, until)
	}
	want := []entry{{Card: "a", Attempt: 1, Status: store.EntryOK}, {Card: "pause", Attempt: 1, Status: store.EntryWaiting}}
	if diff := cmp.Diff(want, entries(h.journal(ex.ID))); diff != "" {
		t.Fatalf("journal while parked (-want +got):\n%s", diff)
	}

	// Claimed early (the store's clock ran ahead of this one): it parks
	// again until the same time and journals nothing.
	h.clock.advance(10 * time.Second)
	res, ex = h.execute(h.reclaim(ex.ID), "f")
	if res.Status != store.Waiting || !ex.WakeAt.Equal(until) {
		t.Fatalf("claimed early: status %s, WakeAt %s; want waiting until %s", res.Status, ex.WakeAt, until)
	}
	if diff := cmp.Diff(want, entries(h.journal(ex.ID))); diff != "" {
		t.Errorf("journal after an early claim (-want +got):\n%s", diff)
	}

	h.clock.advance(20 * time.Second)
	res, ex = h.execute(h.reclaim(ex.ID), "f")
	if res.Status != store.Succeeded || ex.Status != store.Succeeded || !ex.WakeAt.IsZero() {
		t.Fatalf("after the wait: status %s (stored %s, WakeAt %v), want succeeded; err %v", res.Status, ex.Status, ex.WakeAt, res.Err)
	}
	if diff := cmp.Diff(map[string]int{"a": 1, "b": 1}, h.fake.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if slept := h.clock.slept(); len(slept) != 0 {
		t.Errorf("the worker slept %v", slept)
	}
	in := h.fake.inputs["b"][0].GetAttr("value")
	if got := in.AsString(); got != until.Format(time.RFC3339Nano) {
		t.Errorf("card b saw card.pause.until = %q, want %q", got, until.Format(time.RFC3339Nano))
	}
}

// TestWaitCardUntil: until a timestamp; a short wait sleeps on the worker,
// a past time does not wait, and neither parks.
func TestWaitCardUntil(t *testing.T) {
	for _, tt := range []struct {
		name   string
		until  time.Duration // from the fake clock's start
		status store.Status
		sleeps []time.Duration
	}{
		{"an hour ahead parks", time.Hour, store.Waiting, nil},
		{"half a second ahead sleeps", 500 * time.Millisecond, store.Succeeded, []time.Duration{500 * time.Millisecond}},
		{"in the past goes on", -time.Hour, store.Succeeded, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			at := newFakeClock().Now().Add(tt.until).Format(time.RFC3339Nano)
			h := newHarness(t, fmt.Sprintf(waitFlow, `until = "`+at+`"`), withParking())
			res, ex := h.run("f", map[string]any{"user": "u1"})
			if ex.Status != tt.status {
				t.Fatalf("status %s, want %s; err %v", ex.Status, tt.status, res.Err)
			}
			if diff := cmp.Diff(tt.sleeps, h.clock.slept()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
		})
	}
}

const helperWaitFlow = `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "helper" {
    action = flow.call
    flow   = flow.later
  }
  card "b" {
    action     = fake.step
    connection = connection.fake.main
    id         = "b"
  }
}

flow "later" {
  trigger "flow.called" {}
  card "a" {
    action     = fake.step
    connection = connection.fake.main
    id         = "a"
  }
  card "pause" {
    action = flow.wait
    for    = "1h"
  }
}
`

// TestWaitInHelperFlowParksCaller: a wait in a helper flow called inline
// parks its caller's execution; the call is not a failure and is not
// retried, and the helper's cards that ran do not run again.
func TestWaitInHelperFlowParksCaller(t *testing.T) {
	h := newHarness(t, helperWaitFlow, withParking())
	res, ex := h.run("f", map[string]any{"user": "u1"})
	if res.Status != store.Waiting {
		t.Fatalf("status %s, want waiting; err %v", res.Status, res.Err)
	}
	for _, e := range h.journal(ex.ID) {
		if e.Status == store.EntryError {
			t.Errorf("journal has a failed attempt: %+v", e)
		}
	}
	h.clock.advance(time.Hour)
	res, _ = h.execute(h.reclaim(ex.ID), "f")
	if res.Status != store.Succeeded {
		t.Fatalf("after the wait: %s; err %v", res.Status, res.Err)
	}
	if diff := cmp.Diff(map[string]int{"a": 1, "b": 1}, h.fake.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// TestGiveUpAfterParksSaysHowLongItTried: a card whose retries park and
// then give up counts its time from its first attempt, not from the last
// claim that resumed it.
func TestGiveUpAfterParksSaysHowLongItTried(t *testing.T) {
	h := newHarness(t, twoCards(`
    retry {
      attempts = 2
      backoff  = "1s"
    }`), withParking())
	h.fake.on("a", fail(100, func() error {
		return &connector.Error{Kind: connector.RateLimited, Status: 429, Message: "too many requests", RetryAt: h.clock.Now().Add(30 * time.Second)}
	}))
	res, ex := h.run("f", map[string]any{"user": "u1"})
	if res.Status != store.Waiting {
		t.Fatalf("status = %s, want waiting; err %v", res.Status, res.Err)
	}
	h.clock.advance(40 * time.Second)
	res, ex = h.execute(h.reclaim(ex.ID), "f")
	if res.Status != store.Failed {
		t.Fatalf("after the reset: %s, want failed; err %v", res.Status, res.Err)
	}
	if want := "(gave up after 2 attempts over 40s: the retry budget (attempts = 2) is spent)"; !strings.Contains(ex.Error, want) {
		t.Errorf("execution error %q does not contain %q", ex.Error, want)
	}
}
