package runtime_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/zclconf/go-cty/cty"
)

const literalForEachFlow = `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "groups" {
    action     = fake.step
    connection = connection.fake.main
    for_each   = ["Employees", "VPN Users", "Employees"]
    id         = "group"
    value      = each.value
  }
  card "after" {
    action     = fake.step
    connection = connection.fake.main
    id         = "after"
    value      = card.groups["VPN Users"].value
  }
}
`

// TestForEachLiteralListKeyedByValue: a literal list of strings is keyed
// by its values, like a list(string) variable, and a repeated value acts
// once.
func TestForEachLiteralListKeyedByValue(t *testing.T) {
	h := newHarness(t, literalForEachFlow)
	res, ex := h.run("f", map[string]any{"user": "ann"})
	if res.Status != store.Succeeded {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	var keys []string
	for _, e := range h.journal(ex.ID) {
		if e.Card == "groups" {
			keys = append(keys, e.Key)
		}
	}
	if len(keys) != 2 || keys[0] != "Employees" || keys[1] != "VPN Users" {
		t.Errorf("for_each keys = %q, want the values, once each", keys)
	}
	if n := h.fake.calls["group"]; n != 2 {
		t.Errorf("the card ran %d times, want 2", n)
	}
	in := h.fake.inputs["after"]
	if len(in) != 1 || in[0].GetAttr("value").AsString() != "VPN Users" {
		t.Errorf("card.groups[\"VPN Users\"] did not reach the next card: %#v", in)
	}
}

const overlappingForEachFlow = `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "each" {
    action      = fake.step
    connection  = connection.fake.main
    for_each    = [for i in range(24) : "item-${i}"]
    concurrency = 8
    id          = "each"
    value       = each.value
  }
  card "after" {
    action     = fake.step
    connection = connection.fake.main
    id         = "after"
    value      = length(card.each)
  }
}
`

// TestOverlappingInstancesKeepTheirOwnCalls: instances of a for_each that
// run at once each get their own arguments and call key (the run reuses
// one card's call for the next only while they run one at a time), and
// the card after them gets its own too.
func TestOverlappingInstancesKeepTheirOwnCalls(t *testing.T) {
	h := newHarness(t, overlappingForEachFlow)
	h.fake.steps["each"] = func(ctx context.Context, n int, call *connector.Call) (cty.Value, error) {
		v := call.Input.String("value")
		time.Sleep(time.Millisecond) // let the instances overlap
		if got := call.Input.String("value"); got != v {
			return cty.NilVal, fmt.Errorf("value changed under the call: %q, then %q", v, got)
		}
		if !strings.HasSuffix(call.Key.String(), "/each/"+v) {
			return cty.NilVal, fmt.Errorf("instance %q has key %q", v, call.Key)
		}
		return echo(n, call), nil
	}
	res, ex := h.run("f", map[string]any{"user": "ann"})
	if res.Status != store.Succeeded {
		t.Fatalf("status %s: %v", res.Status, res.Err)
	}
	if n := h.fake.calls["each"]; n != 24 {
		t.Fatalf("%d instances ran, want 24", n)
	}
	for _, e := range h.journal(ex.ID) {
		if e.Card == "each" && !strings.Contains(string(e.Input), `"value":"`+e.Key+`"`) {
			t.Errorf("instance %s journaled input %s", e.Key, e.Input)
		}
	}
	if got, want := h.fake.keys["after"], []string{ex.ID + "/after/"}; !slices.Equal(got, want) {
		t.Errorf("after's call keys = %q, want %q", got, want)
	}
	if in := h.fake.inputs["after"]; len(in) != 1 || !in[0].GetAttr("value").RawEquals(cty.NumberIntVal(24)) {
		t.Errorf("after's input = %#v", in)
	}
}
