package runtime_test

import (
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
)

// A connection that cannot be opened fails the card with the kind its
// connector's Open chose (invalid: the block needs fixing), not a kind of
// the runtime's own, and the card is not retried.
func TestOpenFailureKeepsTheConnectorsKind(t *testing.T) {
	h := newHarness(t, twoCards(""))
	h.fake.openErr = &connector.Error{Kind: connector.Invalid, Op: "fake.open", Message: "url must be absolute"}
	res, ex := h.run("f", map[string]any{"user": "u1"})
	if ex.Status != store.Failed {
		t.Fatalf("status %s, want failed", ex.Status)
	}
	if connector.KindOf(res.Err) != connector.Invalid {
		t.Errorf("the execution's error %v has kind %s, want invalid", res.Err, connector.KindOf(res.Err))
	}
	j := h.journal(ex.ID)
	if diff := cmp.Diff([]entry{{Card: "a", Attempt: 1, Status: store.EntryError, ErrorKind: "invalid"}}, entries(j)); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
	if len(j) == 1 && !strings.Contains(j[0].Error, "fake.open: url must be absolute") {
		t.Errorf("the journal's error %q does not say what Open refused", j[0].Error)
	}
	if n := h.fake.counts()["a"]; n != 0 {
		t.Errorf("the action ran %d times without a connection", n)
	}
}
