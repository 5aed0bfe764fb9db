package runtime_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/trigger"
)

const sensitiveFlow = `
flow "import" {
  trigger "http.endpoint" {
    token     = env("FAKE_TOKEN")
    sensitive = ["password"]
  }
  card "compose" {
    action = text.compose
    text   = "the password is ${trigger.body.password}"
  }
}
`

// TestSensitiveFieldNotStored takes an endpoint call through an intake
// with no worker to hand it to: the stored event lacks the password, and
// the execution, claimed from the store as another replica would claim
// it, fails before its first card, naming the field. The run that has the
// event as received computes from the password and journals it redacted.
func TestSensitiveFieldNotStored(t *testing.T) {
	h := newHarness(t, sensitiveFlow)
	f := h.gen.Flows["import"]
	in := &trigger.Intake{Store: h.store}
	const password = "pw-secret-9c1"
	payload := []byte(`{"method":"POST","headers":{},"query":{},"body":{"password":"` + password + `"}}`)
	ctx := context.Background()
	res, err := in.Invoke(ctx, f, []connector.Event{{ID: "call-1", Type: "http.endpoint", Payload: payload}})
	if err != nil || len(res) != 1 || res[0].Claimed != nil {
		t.Fatalf("invoke: %v %+v", err, res)
	}
	exs, err := h.store.Claim(ctx, "other-replica", 1, time.Minute, store.ClaimOptions{})
	if err != nil || len(exs) != 1 {
		t.Fatalf("claim: %v, %d", err, len(exs))
	}
	if strings.Contains(string(exs[0].Payload), password) || !strings.Contains(string(exs[0].Payload), `"password":"(sensitive)"`) {
		t.Fatalf("stored payload %s", exs[0].Payload)
	}
	got, stored := h.execute(exs[0], "import")
	if want := plan.UnstoredReason("password"); got.Status != store.Failed || got.Err == nil || got.Err.Error() != want || stored.Error != want {
		t.Errorf("run from the stored event: %s %v (stored %q); want failed: %s", got.Status, got.Err, stored.Error, want)
	}
	if j := h.journal(exs[0].ID); len(j) != 0 {
		t.Errorf("a card ran on the stored event: %+v", j)
	}

	// The first run, with the event as received: the text computed from
	// the password is marked, so input and output are redacted whole.
	ex := h.enqueue("import", "call-2", map[string]any{"body": map[string]any{"password": "(sensitive)"}})
	first := h.exec.ExecuteReceived(ctx, ex, f, &trigger.Received{Payload: payload, Secrets: []string{password}})
	if first.Status != store.Succeeded {
		t.Fatalf("first run: %s %v", first.Status, first.Err)
	}
	j := h.journal(ex.ID)
	if len(j) != 1 || strings.Contains(string(j[0].Input)+string(j[0].Output), password) ||
		string(j[0].Input) != `{"text":"(sensitive)"}` || string(j[0].Output) != `{"text":"(sensitive)"}` {
		t.Errorf("journal of the first run: input %s output %s", j[0].Input, j[0].Output)
	}
}

// TestSensitiveFieldNotPassedToAnAsyncHelper: an asynchronous helper's
// event is stored, so a call whose input holds the password fails the
// card rather than store it; a synchronous call runs inside the
// execution and gets it.
func TestSensitiveFieldNotPassedToAnAsyncHelper(t *testing.T) {
	h := newHarness(t, `
flow "import" {
  trigger "http.endpoint" {
    token     = env("FAKE_TOKEN")
    sensitive = ["password"]
  }
  card "sync" {
    action = flow.call
    flow   = flow.check
    input  = { password = trigger.body.password }
  }
  card "async" {
    action = flow.call
    flow   = flow.check
    async  = true
    input  = { password = trigger.body.password }
  }
}

flow "check" {
  trigger "flow.called" {}
  card "answer" {
    action = flow.return
    result = { given = trigger.input.password == "pw-secret-9c1" }
  }
}
`)
	const password = "pw-secret-9c1"
	payload := []byte(`{"method":"POST","headers":{},"query":{},"body":{"password":"` + password + `"}}`)
	ex := h.enqueue("import", "call-1", map[string]any{"body": map[string]any{"password": "(sensitive)"}})
	res := h.exec.ExecuteReceived(context.Background(), ex, h.gen.Flows["import"], &trigger.Received{Payload: payload, Secrets: []string{password}})
	if res.Status != store.Failed || res.Err == nil || !strings.Contains(res.Err.Error(), "card async: ") || !strings.Contains(res.Err.Error(), "holds a secret") {
		t.Fatalf("run: %s %v; want the async card to fail", res.Status, res.Err)
	}
	j := h.journal(ex.ID)
	var syncOut string
	for _, e := range j {
		if e.Card == "sync" {
			syncOut = string(e.Output)
		}
	}
	if syncOut != `{"result":{"given":true}}` {
		t.Errorf("the synchronous helper's result %s; want it to have seen the password", syncOut)
	}
	all, err := h.store.Executions(context.Background(), store.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range all {
		if x.Flow == "check" {
			t.Errorf("the async helper was enqueued: %s", x.Payload)
		}
	}
}
