package runtime_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// crashIn makes step id, on its first call, interrupt the execution as a
// shutdown would (cancel its context) and return only once the context is
// done: the attempt never ends and is not journaled.
func crashIn(cancel context.CancelFunc) stepFunc {
	return func(ctx context.Context, n int, call *connector.Call) (cty.Value, error) {
		if n == 1 {
			cancel()
			<-ctx.Done()
			return cty.NilVal, ctx.Err()
		}
		return echo(n, call), nil
	}
}

// interrupt runs ex until crash (wired into a step by the caller) cancels
// it, then gives the execution back and claims it again, as a restart does.
func (h *harness) interrupt(ctx context.Context, ex *store.Execution, flow string) *store.Execution {
	h.t.Helper()
	res := h.exec.Execute(ctx, ex, h.gen.Flows[flow])
	if res.Status != store.Running {
		h.t.Fatalf("interrupted execution: status %s (%v), want running", res.Status, res.Err)
	}
	bg := context.Background()
	if err := h.store.Release(bg, "test", []string{ex.ID}); err != nil {
		h.t.Fatal(err)
	}
	exs, err := h.store.Claim(bg, "test", 1, time.Minute, store.ClaimOptions{})
	if err != nil || len(exs) != 1 {
		h.t.Fatalf("claim: %v, %d", err, len(exs))
	}
	return exs[0]
}

func stepValue(t testing.TB, h *harness, id string, call int) any {
	t.Helper()
	h.fake.mu.Lock()
	defer h.fake.mu.Unlock()
	if len(h.fake.inputs[id]) < call {
		t.Fatalf("step %s has %d calls, want %d", id, len(h.fake.inputs[id]), call)
	}
	v, err := connector.ToGo(h.fake.inputs[id][call-1].GetAttr("value"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestResume(t *testing.T) {
	const src = `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "a" {
    action     = fake.step
    connection = connection.fake.main
    id         = "a"
    value      = trigger.user
  }
  card "skip" {
    action     = fake.step
    connection = connection.fake.main
    if         = "trigger.user == 'nobody'"
    id         = "skip"
  }
  card "b" {
    action     = fake.step
    connection = connection.fake.main
    id         = "b"
    value      = "${card.a.value}+b"
  }
  card "c" {
    action     = fake.step
    connection = connection.fake.main
    id         = "c"
    value      = "${card.b.value}+c"
  }
  card "d" {
    action     = fake.step
    connection = connection.fake.main
    id         = "d"
    value      = card.c.value
  }
}
`
	h := newHarness(t, src)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.fake.on("c", crashIn(cancel))
	ex := h.enqueue("f", "k", map[string]any{"user": "u1"})
	ex = h.interrupt(ctx, ex, "f")
	if diff := cmp.Diff([]entry{
		{Card: "a", Attempt: 1, Status: store.EntryOK},
		{Card: "skip", Attempt: 1, Status: store.EntrySkipped},
		{Card: "b", Attempt: 1, Status: store.EntryOK},
	}, entries(h.journal(ex.ID))); diff != "" {
		t.Fatalf("journal after the crash (-want +got):\n%s", diff)
	}

	res, stored := h.execute(ex, "f")
	if stored.Status != store.Succeeded {
		t.Fatalf("resumed: %s %v", stored.Status, res.Err)
	}
	// a and b ran once; c was running at the crash and runs again.
	if diff := cmp.Diff(map[string]int{"a": 1, "b": 1, "c": 2, "d": 1}, h.fake.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	// c's inputs come from b's journaled output.
	if got := stepValue(t, h, "c", 2); got != "u1+b+c" {
		t.Errorf("c's value on resume = %v, want u1+b+c", got)
	}
	if got := stepValue(t, h, "d", 1); got != "u1+b+c" {
		t.Errorf("d's value = %v", got)
	}
}

func TestResumeForEach(t *testing.T) {
	const src = `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "each" {
    action     = fake.step
    connection = connection.fake.main
    for_each   = trigger.items
    id         = "each-${each.value}"
    value      = each.key
  }
  card "after" {
    action     = fake.step
    connection = connection.fake.main
    id         = "after"
    value      = [for k, v in card.each : v.value]
  }
}
`
	h := newHarness(t, src)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.fake.on("each-z", crashIn(cancel))
	ex := h.enqueue("f", "k", map[string]any{"user": "u1", "items": []string{"x", "y", "z", "w"}})
	ex = h.interrupt(ctx, ex, "f")
	if diff := cmp.Diff([]entry{
		{Card: "each", Key: "x", Attempt: 1, Status: store.EntryOK},
		{Card: "each", Key: "y", Attempt: 1, Status: store.EntryOK},
	}, entries(h.journal(ex.ID))); diff != "" {
		t.Fatalf("journal after the crash (-want +got):\n%s", diff)
	}
	res, stored := h.execute(ex, "f")
	if stored.Status != store.Succeeded {
		t.Fatalf("resumed: %s %v", stored.Status, res.Err)
	}
	want := map[string]int{"each-x": 1, "each-y": 1, "each-z": 2, "each-w": 1, "after": 1}
	if diff := cmp.Diff(want, h.fake.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"w", "x", "y", "z"}, stepValue(t, h, "after", 1)); diff != "" {
		t.Errorf("after's value (-want +got):\n%s", diff)
	}
}

func TestResumeInsideHelper(t *testing.T) {
	const src = `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "a" {
    action     = fake.step
    connection = connection.fake.main
    id         = "a"
    value      = trigger.user
  }
  card "call" {
    action = flow.call
    flow   = flow.helper
    input  = { user = card.a.value }
  }
  card "after" {
    action     = fake.step
    connection = connection.fake.main
    id         = "after"
    value      = card.call.result.got
  }
}

flow "helper" {
  trigger "flow.called" {}
  card "h1" {
    action     = fake.step
    connection = connection.fake.main
    id         = "h1"
    value      = "${trigger.input.user}+h1"
  }
  card "h2" {
    action     = fake.step
    connection = connection.fake.main
    id         = "h2"
    value      = "${card.h1.value}+h2"
  }
  card "done" {
    action = flow.return
    result = { got = card.h2.value }
  }
}
`
	h := newHarness(t, src)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.fake.on("h2", crashIn(cancel))
	ex := h.enqueue("f", "k", map[string]any{"user": "u1"})
	ex = h.interrupt(ctx, ex, "f")
	if diff := cmp.Diff([]entry{
		{Card: "a", Attempt: 1, Status: store.EntryOK},
		{Card: "call/helper.h1", Attempt: 1, Status: store.EntryOK},
	}, entries(h.journal(ex.ID))); diff != "" {
		t.Fatalf("journal after the crash (-want +got):\n%s", diff)
	}
	res, stored := h.execute(ex, "f")
	if stored.Status != store.Succeeded {
		t.Fatalf("resumed: %s %v", stored.Status, res.Err)
	}
	if diff := cmp.Diff(map[string]int{"a": 1, "h1": 1, "h2": 2, "after": 1}, h.fake.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if got := stepValue(t, h, "after", 1); got != "u1+h1+h2" {
		t.Errorf("after's value = %v, want u1+h1+h2", got)
	}
}

// finishFails is a store whose first Finish fails, as a crash between the
// last journal entry and the outcome would leave it.
type finishFails struct {
	store.Store
	failed bool
}

func (s *finishFails) Finish(ctx context.Context, id string, status store.Status, output []byte, errMsg string, entries ...store.JournalEntry) error {
	if !s.failed {
		s.failed = true
		return errors.New("crash")
	}
	return s.Store.Finish(ctx, id, status, output, errMsg, entries...)
}

// TestResumeAfterReturn: a flow that stopped early with flow.return and
// crashed before its outcome was recorded stops again on resume, with the
// same result, rather than running the cards after the return.
func TestResumeAfterReturn(t *testing.T) {
	const src = `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "a" {
    action     = fake.step
    connection = connection.fake.main
    id         = "a"
    value      = trigger.user
  }
  card "stop" {
    action = flow.return
    status = "halted"
    reason = "nothing to do"
    result = { user = card.a.value }
  }
  card "b" {
    action     = fake.step
    connection = connection.fake.main
    id         = "b"
  }
}
`
	h := newHarness(t, src)
	ex := h.enqueue("f", "k", map[string]any{"user": "u1"})
	x := *h.exec
	x.Store = &finishFails{Store: h.store}
	if res := x.Execute(context.Background(), ex, h.gen.Flows["f"]); res.Status != store.Running {
		t.Fatalf("status %s (%v), want running after the failed Finish", res.Status, res.Err)
	}
	res, stored := h.execute(ex, "f")
	if stored.Status != store.Halted {
		t.Fatalf("resumed: %s %v, want halted", stored.Status, res.Err)
	}
	if diff := cmp.Diff(map[string]int{"a": 1}, h.fake.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"user": "u1"}, jsonOf(t, stored.Output)); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

// TestResumeRedactedOutput: a card whose journaled output had to be
// redacted runs again on resume, so that later cards get the real value
// rather than the placeholder.
func TestResumeRedactedOutput(t *testing.T) {
	const src = `
variable "api_key" {
  type      = string
  sensitive = true
}
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "header" {
    action     = fake.step
    connection = connection.fake.main
    id         = "header"
    value      = "Bearer ${var.api_key}"
  }
  card "plain" {
    action     = fake.step
    connection = connection.fake.main
    id         = "plain"
    value      = trigger.user
  }
  card "use" {
    action     = fake.step
    connection = connection.fake.main
    id         = "use"
    value      = "${card.header.value} for ${card.plain.value}"
  }
}
`
	h := newHarness(t, src, withVars(map[string]string{"api_key": secretVar}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.fake.on("use", crashIn(cancel))
	ex := h.enqueue("f", "k", map[string]any{"user": "u1"})
	ex = h.interrupt(ctx, ex, "f")
	res, stored := h.execute(ex, "f")
	if stored.Status != store.Succeeded {
		t.Fatalf("resumed: %s %v", stored.Status, res.Err)
	}
	if diff := cmp.Diff(map[string]int{"header": 2, "plain": 1, "use": 2}, h.fake.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if got, want := stepValue(t, h, "use", 2), "Bearer "+secretVar+" for u1"; got != want {
		t.Errorf("use got %v on resume, want %v", got, want)
	}
}
