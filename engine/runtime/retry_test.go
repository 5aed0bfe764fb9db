package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// twoCards is a flow whose card a has the given extra arguments and whose
// card b uses a's output.
func twoCards(extra string) string {
	return fmt.Sprintf(`
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "a" {
    action     = fake.step
    connection = connection.fake.main
    id         = "a"
    value      = trigger.user
    %s
  }
  card "b" {
    action     = fake.step
    connection = connection.fake.main
    id         = "b"
    value      = card.a.value
  }
}
`, extra)
}

func transient() error {
	return &connector.Error{Kind: connector.Transient, Op: "fake.step", Status: 503, Message: "unavailable"}
}

func errorOfKind(k connector.Kind) func() error {
	return func() error { return &connector.Error{Kind: k, Op: "fake.step", Message: k.String()} }
}

func errorEntries(card string, n int, kind string) []entry {
	var out []entry
	for i := 1; i <= n; i++ {
		out = append(out, entry{Card: card, Attempt: i, Status: store.EntryError, ErrorKind: kind})
	}
	return out
}

func TestRetry(t *testing.T) {
	const policy = `
    retry {
      attempts    = %d
      backoff     = "1s"
      max_backoff = "5s"
    }`
	ok := func(card string, attempt int) entry {
		return entry{Card: card, Attempt: attempt, Status: store.EntryOK}
	}
	tests := []struct {
		name     string
		extra    string
		fails    int
		err      func() error
		rand     func(int64) int64
		status   store.Status
		sleeps   []time.Duration
		calls    map[string]int
		journal  []entry
		errorHas string
	}{
		{
			name:  "transient failures retry with exponential backoff",
			extra: fmt.Sprintf(policy, 5), fails: 3, err: transient,
			status:  store.Succeeded,
			sleeps:  []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
			calls:   map[string]int{"a": 4, "b": 1},
			journal: append(errorEntries("a", 3, "transient"), ok("a", 4), ok("b", 1)),
		},
		{
			name:  "the delay is capped at max_backoff and attempts are capped",
			extra: fmt.Sprintf(policy, 6), fails: 100, err: transient,
			status:   store.Failed,
			sleeps:   []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second},
			calls:    map[string]int{"a": 6},
			journal:  errorEntries("a", 6, "transient"),
			errorHas: "card a: fake.step: HTTP 503: unavailable",
		},
		{
			name:  "full jitter: the delay is drawn from [0, ceiling]",
			extra: fmt.Sprintf(policy, 4), fails: 3, err: transient,
			rand:    func(n int64) int64 { return n / 2 },
			status:  store.Succeeded,
			sleeps:  []time.Duration{(time.Second + 1) / 2, (2*time.Second + 1) / 2, (4*time.Second + 1) / 2},
			calls:   map[string]int{"a": 4, "b": 1},
			journal: append(errorEntries("a", 3, "transient"), ok("a", 4), ok("b", 1)),
		},
		{
			name:  "full jitter may retry at once",
			extra: fmt.Sprintf(policy, 3), fails: 2, err: transient,
			rand:    func(int64) int64 { return 0 },
			status:  store.Succeeded,
			sleeps:  []time.Duration{0, 0},
			calls:   map[string]int{"a": 3, "b": 1},
			journal: append(errorEntries("a", 2, "transient"), ok("a", 3), ok("b", 1)),
		},
		{
			name:  "one attempt means no retry",
			extra: fmt.Sprintf(policy, 1), fails: 1, err: transient,
			status:   store.Failed,
			calls:    map[string]int{"a": 1},
			journal:  errorEntries("a", 1, "transient"),
			errorHas: "HTTP 503",
		},
		{
			name:  "the default policy retries ten times over about four minutes of capped backoff",
			fails: 100, err: transient,
			status: store.Failed,
			sleeps: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second,
				32 * time.Second, time.Minute, time.Minute, time.Minute},
			calls:    map[string]int{"a": 10},
			journal:  errorEntries("a", 10, "transient"),
			errorHas: "HTTP 503: unavailable (gave up after 10 attempts over 4m3s: the retry budget (attempts = 10) is spent)",
		},
		{
			name:  "the execution's error says the budget is spent",
			extra: fmt.Sprintf(policy, 3), fails: 100, err: transient,
			status:   store.Failed,
			sleeps:   []time.Duration{time.Second, 2 * time.Second},
			calls:    map[string]int{"a": 3},
			journal:  errorEntries("a", 3, "transient"),
			errorHas: "card a: fake.step: HTTP 503: unavailable (gave up after 3 attempts over 3s: the retry budget (attempts = 3) is spent)",
		},
		{
			name:  "a card timeout is transient",
			extra: `timeout = "1ms"` + fmt.Sprintf(policy, 3), fails: 0,
			status:  store.Succeeded,
			sleeps:  []time.Duration{time.Second},
			calls:   map[string]int{"a": 2, "b": 1},
			journal: append(errorEntries("a", 1, "transient"), ok("a", 2), ok("b", 1)),
		},
	}
	for _, kind := range []connector.Kind{connector.NotFound, connector.Permission, connector.Invalid, connector.Other, connector.Conflict} {
		tests = append(tests, struct {
			name     string
			extra    string
			fails    int
			err      func() error
			rand     func(int64) int64
			status   store.Status
			sleeps   []time.Duration
			calls    map[string]int
			journal  []entry
			errorHas string
		}{
			name:  "no retry on " + kind.String(),
			extra: fmt.Sprintf(policy, 5), fails: 1, err: errorOfKind(kind),
			status:   store.Failed,
			calls:    map[string]int{"a": 1},
			journal:  errorEntries("a", 1, kind.String()),
			errorHas: "card a: fake.step: " + kind.String() + " (not retried: " + kind.String() + " errors are permanent)",
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []harnessOption
			if tt.rand != nil {
				opts = append(opts, withRand(tt.rand))
			}
			h := newHarness(t, twoCards(tt.extra), opts...)
			if tt.err != nil {
				h.fake.on("a", fail(tt.fails, tt.err))
			} else {
				// A card that never answers on its first call: its
				// timeout ends the attempt.
				h.fake.on("a", func(ctx context.Context, n int, call *connector.Call) (cty.Value, error) {
					if n == 1 {
						<-ctx.Done()
						return cty.NilVal, ctx.Err()
					}
					return echo(n, call), nil
				})
			}
			res, ex := h.run("f", map[string]any{"user": "u1"})
			if ex.Status != tt.status || res.Status != tt.status {
				t.Fatalf("status = %s (stored %s), want %s; err %v", res.Status, ex.Status, tt.status, res.Err)
			}
			if diff := cmp.Diff(tt.sleeps, h.clock.slept()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.calls, h.fake.counts()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.journal, entries(h.journal(ex.ID))); diff != "" {
				t.Errorf("journal (-want +got):\n%s", diff)
			}
			if !strings.Contains(ex.Error, tt.errorHas) {
				t.Errorf("execution error %q does not contain %q", ex.Error, tt.errorHas)
			}
		})
	}
}

// TestRetryAt checks that a rate-limited card waits for the server's reset
// and makes no attempt before it.
func TestRetryAt(t *testing.T) {
	tests := []struct {
		name   string
		reset  time.Duration // from the failed attempt; 0: no RetryAt
		rand   func(int64) int64
		status store.Status
		sleeps []time.Duration
		calls  int
	}{
		{name: "reset later than the backoff", reset: 30 * time.Second, rand: func(int64) int64 { return 0 },
			status: store.Succeeded, sleeps: []time.Duration{30 * time.Second}, calls: 2},
		{name: "reset spread by up to a tenth", reset: 30 * time.Second, rand: func(n int64) int64 { return n - 1 },
			status: store.Succeeded, sleeps: []time.Duration{33 * time.Second}, calls: 2},
		{name: "reset earlier than the backoff keeps the backoff", reset: 100 * time.Millisecond, rand: func(n int64) int64 { return n - 1 },
			status: store.Succeeded, sleeps: []time.Duration{time.Second}, calls: 2},
		{name: "reset in the past", reset: -time.Minute, rand: func(n int64) int64 { return n - 1 },
			status: store.Succeeded, sleeps: []time.Duration{time.Second}, calls: 2},
		{name: "rate limited without a reset backs off", rand: func(n int64) int64 { return n - 1 },
			status: store.Succeeded, sleeps: []time.Duration{time.Second}, calls: 2},
		{name: "a reset beyond an hour fails the card", reset: 2 * time.Hour, rand: func(n int64) int64 { return n - 1 },
			status: store.Failed, calls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, twoCards(`
    retry {
      attempts = 3
      backoff  = "1s"
    }`), withRand(tt.rand))
			var resetAt time.Time
			var calledAt []time.Time
			h.fake.on("a", func(_ context.Context, n int, call *connector.Call) (cty.Value, error) {
				now := h.clock.Now()
				calledAt = append(calledAt, now)
				if n == 1 {
					e := &connector.Error{Kind: connector.RateLimited, Status: 429, Message: "too many requests"}
					if tt.reset != 0 {
						resetAt = now.Add(tt.reset)
						e.RetryAt = resetAt
					}
					return cty.NilVal, e
				}
				return echo(n, call), nil
			})
			res, ex := h.run("f", map[string]any{"user": "u1"})
			if ex.Status != tt.status {
				t.Fatalf("status = %s, want %s; err %v", ex.Status, tt.status, res.Err)
			}
			if diff := cmp.Diff(tt.sleeps, h.clock.slept()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if len(calledAt) != tt.calls {
				t.Fatalf("%d calls, want %d", len(calledAt), tt.calls)
			}
			if tt.status == store.Failed && !strings.Contains(ex.Error, "(gave up after 1 attempt: the server asks to wait 2h0m0s, longer than the 1h0m0s a card waits)") {
				t.Errorf("execution error %q does not say the reset was too far away", ex.Error)
			}
			for i, at := range calledAt[1:] {
				if at.Before(resetAt) {
					t.Errorf("attempt %d at %s, before the server's reset at %s", i+2, at, resetAt)
				}
			}
		})
	}
}

func TestErrorPolicy(t *testing.T) {
	notFound := &connector.Error{Kind: connector.NotFound, Op: "fake.step", Status: 404, Code: "E0000007", Message: "Not found: u1"}
	const handler = `
flow "handler" {
  trigger "flow.called" {}
  card "h" {
    action     = fake.step
    connection = connection.fake.main
    id         = "h"
    value      = trigger.input
  }
}
`
	wantFailure := map[string]any{
		"kind": "not_found", "message": "fake.step: HTTP 404: E0000007 Not found: u1", "status": float64(404), "code": "E0000007",
	}
	tests := []struct {
		name    string
		src     string
		status  store.Status
		calls   map[string]int
		journal []entry
		// bValue is what card b received as value (continue).
		bValue any
		// handlerInput is the trigger.input of the enqueued error flow.
		handlerInput any
	}{
		{
			name:    "halt fails the execution",
			src:     twoCards(`on_error = halt`),
			status:  store.Failed,
			calls:   map[string]int{"a": 1},
			journal: errorEntries("a", 1, "not_found"),
		},
		{
			name:    "halt is the default",
			src:     twoCards(``),
			status:  store.Failed,
			calls:   map[string]int{"a": 1},
			journal: errorEntries("a", 1, "not_found"),
		},
		{
			name: "continue makes the error the card's output",
			src: strings.Replace(twoCards(`on_error = continue`), "value      = card.a.value", "value      = card.a.error", 1) + `
`,
			status:  store.Succeeded,
			calls:   map[string]int{"a": 1, "b": 1},
			journal: append(errorEntries("a", 1, "not_found"), entry{Card: "a", Attempt: 1, Status: store.EntryOK}, entry{Card: "b", Attempt: 1, Status: store.EntryOK}),
			bValue:  wantFailure,
		},
		{
			name:         "an error flow is called with the failure and the execution fails",
			src:          twoCards(`on_error = flow.handler`) + handler,
			status:       store.Failed,
			calls:        map[string]int{"a": 1, "h": 1},
			journal:      errorEntries("a", 1, "not_found"),
			handlerInput: map[string]any{"flow": "f", "card": "a", "error": wantFailure},
		},
		{
			name: "a flow's on_error is called when it fails",
			src: strings.Replace(twoCards(``), `flow "f" {`, `flow "f" {
  on_error = flow.handler`, 1) + handler,
			status:       store.Failed,
			calls:        map[string]int{"a": 1, "h": 1},
			journal:      errorEntries("a", 1, "not_found"),
			handlerInput: map[string]any{"flow": "f", "card": "", "error": map[string]any{"kind": "not_found", "message": "card a: fake.step: HTTP 404: E0000007 Not found: u1", "status": float64(404), "code": "E0000007"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.src)
			h.fake.on("a", fail(1, func() error { return notFound }))
			res, ex := h.run("f", map[string]any{"user": "u1"})
			if ex.Status != tt.status {
				t.Fatalf("status = %s, want %s; err %v", ex.Status, tt.status, res.Err)
			}
			if tt.status == store.Failed && !strings.Contains(ex.Error, "Not found: u1") {
				t.Errorf("execution error %q does not say why", ex.Error)
			}
			if diff := cmp.Diff(tt.journal, entries(h.journal(ex.ID))); diff != "" {
				t.Errorf("journal (-want +got):\n%s", diff)
			}
			if tt.bValue != nil {
				h.fake.mu.Lock()
				got, _ := connector.ToGo(h.fake.inputs["b"][0].GetAttr("value"))
				h.fake.mu.Unlock()
				if diff := cmp.Diff(normalize(t, tt.bValue), normalize(t, got)); diff != "" {
					t.Errorf("b's value (-want +got):\n%s", diff)
				}
			}
			// Run whatever the execution enqueued (the error flow).
			pending, err := h.store.Claim(context.Background(), "test", 10, time.Minute, store.ClaimOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.handlerInput == nil && len(pending) > 0 {
				t.Fatalf("unexpected executions enqueued: %v", pending[0].Flow)
			}
			for _, p := range pending {
				if p.Flow != "handler" || p.Parent != ex.ID {
					t.Fatalf("enqueued %s (parent %s), want handler (parent %s)", p.Flow, p.Parent, ex.ID)
				}
				if r, hex := h.execute(p, "handler"); hex.Status != store.Succeeded {
					t.Fatalf("error flow: %s %v", hex.Status, r.Err)
				}
				h.fake.mu.Lock()
				got, _ := connector.ToGo(h.fake.inputs["h"][0].GetAttr("value"))
				h.fake.mu.Unlock()
				want := normalize(t, tt.handlerInput).(map[string]any)
				want["execution_id"] = ex.ID
				if diff := cmp.Diff(want, normalize(t, got)); diff != "" {
					t.Errorf("error flow's trigger.input (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tt.calls, h.fake.counts()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExecutionTimeout: an execution that outlives its flow's timeout
// fails, and the card that was running is not retried.
func TestExecutionTimeout(t *testing.T) {
	h := newHarness(t, strings.Replace(twoCards(``), `flow "f" {`, `flow "f" {
  timeout = "1s"`, 1))
	h.fake.on("a", func(ctx context.Context, _ int, _ *connector.Call) (cty.Value, error) {
		<-ctx.Done()
		return cty.NilVal, ctx.Err()
	})
	res, ex := h.run("f", map[string]any{"user": "u1"})
	if ex.Status != store.Failed || !errors.Is(res.Err, context.DeadlineExceeded) {
		t.Fatalf("status %s, err %v; want failed with a deadline", ex.Status, res.Err)
	}
	if !strings.Contains(ex.Error, "timed out") {
		t.Errorf("execution error %q does not say it timed out", ex.Error)
	}
	if diff := cmp.Diff(map[string]int{"a": 1}, h.fake.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if len(h.clock.slept()) != 0 {
		t.Errorf("slept %v: an execution timeout is not retried", h.clock.slept())
	}
}

// normalize round-trips v through JSON so that numbers compare alike.
func normalize(t testing.TB, v any) any {
	t.Helper()
	return jsonOf(t, marshalJSON(t, v))
}
