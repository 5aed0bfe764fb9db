package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

const tableFlow = `
table "seen" {
  columns = {
    user = string
    n    = number
  }
  key = "user"
}

flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "remember" {
    action = table.put
    table  = table.seen
    key    = trigger.user
    row    = { user = trigger.user, n = 1 }
  }
  card "touch" {
    action     = fake.step
    connection = connection.fake.main
    id         = "touch"
  }
  card "look" {
    action = table.get
    table  = table.seen
    key    = trigger.user
  }
}
`

// tableStore counts the store's own table writes.
type tableStore struct {
	*countingStore
	puts int
}

func (s *tableStore) TablePut(ctx context.Context, table, key string, row []byte) error {
	s.puts++
	return s.countingStore.TablePut(ctx, table, key, row)
}

// TestTableWriteRidesWithItsEntry: a table.put card's row is written with
// its journal entry, not by a write of its own, and the next card sees it.
func TestTableWriteRidesWithItsEntry(t *testing.T) {
	h := newHarness(t, tableFlow)
	ts := &tableStore{countingStore: &countingStore{Store: h.store}}
	h.exec.Store = ts
	res, ex := h.run("f", map[string]any{"user": "u1"})
	if ex.Status != store.Succeeded {
		t.Fatalf("%s: %v", ex.Status, res.Err)
	}
	if ts.puts != 0 {
		t.Errorf("%d TablePut calls, want none: the row rides with the entry", ts.puts)
	}
	if diff := cmp.Diff([][]string{{"remember"}, {"touch"}}, ts.appends); diff != "" {
		t.Errorf("Append calls (-want +got):\n%s", diff)
	}
	row, err := h.store.TableGet(context.Background(), "seen", "u1")
	if err != nil || string(row) != `{"n":1,"user":"u1"}` {
		t.Fatalf("row = %s, %v", row, err)
	}
	look := h.journal(ex.ID)[2]
	if want := `"found":true`; !bytes.Contains(look.Output, []byte(want)) {
		t.Errorf("table.get after the put answered %s, want %s", look.Output, want)
	}
}

// TestFailedAttemptChangesNoTable: an attempt that wrote a row and then
// failed leaves the table as it was, though it read its own write.
func TestFailedAttemptChangesNoTable(t *testing.T) {
	h := newHarness(t, strings.Replace(tableFlow, `id         = "touch"`, `id         = "touch"
    on_error   = continue`, 1))
	h.fake.on("touch", func(ctx context.Context, n int, call *connector.Call) (cty.Value, error) {
		tb, err := call.Host.Table("seen")
		if err != nil {
			return cty.NilVal, err
		}
		row := cty.ObjectVal(map[string]cty.Value{"user": cty.StringVal("u1"), "n": cty.NumberIntVal(10)})
		if err := tb.Put(ctx, "u1", row); err != nil {
			return cty.NilVal, err
		}
		if got, found, err := tb.Get(ctx, "u1"); err != nil || !found || !got.RawEquals(row) {
			return cty.NilVal, errors.New("the attempt does not read its own write")
		}
		return cty.NilVal, connector.Errorf(connector.Invalid, "refused after writing")
	})
	res, ex := h.run("f", map[string]any{"user": "u1"})
	if ex.Status != store.Succeeded {
		t.Fatalf("%s: %v", ex.Status, res.Err)
	}
	if j := h.journal(ex.ID); len(j) < 2 || j[1].ErrorKind != "invalid" {
		t.Fatalf("touch did not fail as planned: %+v", j)
	}
	row, err := h.store.TableGet(context.Background(), "seen", "u1")
	if err != nil || string(row) != `{"n":1,"user":"u1"}` {
		t.Fatalf("row = %s, %v, want remember's: the failed attempt's write must not land", row, err)
	}
}
