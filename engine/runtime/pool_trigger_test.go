package runtime_test

import (
	"context"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/trigger"
)

// TestPoolStartsOnTheIntakesTriggerValue: an execution the intake hands
// over with its trigger value runs on that value, without decoding its
// payload; one handed over for another definition, and one the pool claims
// from the queue, decode their stored payload.
func TestPoolStartsOnTheIntakesTriggerValue(t *testing.T) {
	h := newHarness(t, pureFlow)
	pool := &runtime.Pool{Executor: h.exec, Resolver: genResolver{h.gen}, Owner: "r1", Workers: 2, Poll: time.Hour}
	runPool(t, pool)
	f := h.gen.Flows["f"]
	// A value unlike the payload's, to see which one the cards read.
	handedValue := cty.ObjectVal(map[string]cty.Value{
		"user": cty.StringVal("from the intake"), "items": cty.NullVal(cty.List(cty.String)), "password": cty.NullVal(cty.String),
	})
	older := *f // another definition of the flow: the value was not decoded for it
	older.Hash = "an older definition"

	for _, c := range []struct {
		key  string
		flow bool // handed over with the definition the value was decoded on
		want string
	}{
		{"handed", true, "hello from the intake"},
		{"other-definition", false, "hello payload"},
	} {
		r := pool.Reserve(1)
		res, err := h.store.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: c.key, Payload: []byte(`{"user":"payload"}`)}},
			store.EnqueueOptions{Claim: r.Claim(pinTo(f))})
		if err != nil || res[0].Claimed == nil {
			t.Fatalf("Enqueue with a Claim = %+v, %v, want it claimed", res, err)
		}
		claimed := trigger.Claimed{Execution: res[0].Claimed, Flow: &older, Trigger: handedValue}
		if c.flow {
			claimed.Flow = f
		}
		r.Start([]trigger.Claimed{claimed})
		if ex := waitFinal(t, h.store, res[0].ID); ex.Status != store.Succeeded {
			t.Fatalf("%s: execution ended %s", c.key, ex.Status)
		}
		if got := lastInput(h, "write"); got != c.want {
			t.Errorf("%s: the write card got %q, want %q", c.key, got, c.want)
		}
	}

	queued, err := h.store.Enqueue(context.Background(), []store.Event{{Flow: "f", DedupKey: "queued", Payload: []byte(`{"user":"queued"}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pool.Wake()
	if ex := waitFinal(t, h.store, queued[0].ID); ex.Status != store.Succeeded {
		t.Fatalf("queued execution ended %s", ex.Status)
	}
	if got := lastInput(h, "write"); got != "hello queued" {
		t.Errorf("the write card of the queued execution got %q, want %q", got, "hello queued")
	}
}

// lastInput is the value argument of the last call of the fake step id.
func lastInput(h *harness, id string) string {
	h.fake.mu.Lock()
	defer h.fake.mu.Unlock()
	in := h.fake.inputs[id]
	if len(in) == 0 {
		return ""
	}
	v := in[len(in)-1].GetAttr("value")
	if v.IsNull() || !v.Type().Equals(cty.String) {
		return v.GoString()
	}
	return v.AsString()
}
