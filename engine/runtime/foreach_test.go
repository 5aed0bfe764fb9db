package runtime_test

import (
	"testing"

	"github.com/cardflow/cardflow/engine/store"
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
