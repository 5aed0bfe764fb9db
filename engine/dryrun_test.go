package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

const dryRunFlows = `
table "seen" {
  columns = {
    user = string
  }
  key = "user"
}

flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "write" {
    action     = fake.step
    connection = connection.fake.main
    id         = "write"
    value      = trigger.user
  }
  card "after" {
    action     = fake.step
    connection = connection.fake.main
    id         = "after"
    value      = "${card.write.id}/${trigger.user}"
  }
}
`

// TestDryRunInterceptsWrites: no write reaches the connector; each is
// recorded with its input, and later cards see "(known after apply)".
func TestDryRunInterceptsWrites(t *testing.T) {
	dir := t.TempDir()
	writeFlows(t, dir, dryRunFlows)
	f := newFakeConn()
	gen, _, diags := engine.Load([]string{dir}, engine.LoadOptions{Registry: f.registry(), Mode: lang.Live, Host: fakeHost()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	emulated := map[string]map[string]cty.Value{"fake": {"token": cty.StringVal("emulator-token").Mark(lang.Sensitive)}}
	res, err := engine.DryRun(context.Background(), gen, gen.Flows["f"], []byte(`{"user":"kari"}`), engine.DryRunOptions{
		Emulated: emulated,
		Tables:   map[string]map[string]map[string]any{"seen": {"kari": {"user": "kari"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.counts(); len(n) != 0 {
		t.Errorf("the connector was called during a dry run: %v", n)
	}
	if !res.WouldSucceed || res.Execution.Status != store.Succeeded {
		t.Fatalf("want a succeeded dry run, got %s (%s)", res.Execution.Status, res.Execution.Error)
	}
	var got []string
	for _, w := range res.Writes {
		var in map[string]any
		if err := json.Unmarshal(w.Input, &in); err != nil {
			t.Fatal(err)
		}
		got = append(got, w.Card+" "+w.Action+" "+in["value"].(string))
	}
	want := []string{"write fake.step kari", "after fake.step " + engine.KnownAfterApply + "/kari"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("intercepted writes: got %q, want %q", got, want)
	}
	if len(res.Journal) < 2 {
		t.Errorf("want the journal of both cards, got %d entries", len(res.Journal))
	}
	conn := gen.Connections["fake.main"]
	if conn == nil {
		t.Fatalf("no connection fake.main among %v", gen.Connections)
	}
	if tok := conn.Config.GetAttr("token"); !tok.HasMark(lang.Sensitive) || !tok.RawEquals(cty.StringVal("emulator-token").Mark(lang.Sensitive)) {
		t.Errorf("the connection does not present the emulator's credential, sensitive: %#v", tok)
	}
	if conn.Hash != "dry-run/fake.main" {
		t.Errorf("connection hash %q: an emulated connection must not share clients with the real one", conn.Hash)
	}
}

// TestDryRunWritesToItsOwnEmulators: with WriteEmulators, the writes of
// an emulated connector are sent to it (the dry run's own, thrown away
// after), later cards see its answers, and each write is reported once
// even when it was retried.
func TestDryRunWritesToItsOwnEmulators(t *testing.T) {
	dir := t.TempDir()
	writeFlows(t, dir, dryRunFlows)
	f := newFakeConn()
	f.on("write", func(_ context.Context, n int, call *connector.Call) (cty.Value, error) {
		if n == 1 {
			return cty.NilVal, &connector.Error{Kind: connector.Transient, Message: "try again"}
		}
		return cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("w-42"), "value": call.Input.Get("value")}), nil
	})
	gen, _, diags := engine.Load([]string{dir}, engine.LoadOptions{Registry: f.registry(), Mode: lang.Live, Host: fakeHost()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	res, err := engine.DryRun(context.Background(), gen, gen.Flows["f"], []byte(`{"user":"kari"}`), engine.DryRunOptions{
		Emulated:       map[string]map[string]cty.Value{"fake": {"token": cty.StringVal("emulator-token").Mark(lang.Sensitive)}},
		WriteEmulators: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Execution.Status != store.Succeeded {
		t.Fatalf("want a succeeded dry run, got %s (%s)", res.Execution.Status, res.Execution.Error)
	}
	if diff := cmp.Diff(map[string]int{"write": 2, "after": 1}, f.counts()); diff != "" {
		t.Errorf("calls the emulated connector got (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"w-42/kari"}, f.valuesOf("after")); diff != "" {
		t.Errorf("the later card did not see the emulator's answer (-want +got):\n%s", diff)
	}
	var got []string
	for _, w := range res.Writes {
		got = append(got, fmt.Sprintf("%s %s emulated=%v", w.Card, w.Action, w.Emulated))
	}
	if diff := cmp.Diff([]string{"write fake.step emulated=true", "after fake.step emulated=true"}, got); diff != "" {
		t.Errorf("reported writes (-want +got):\n%s", diff)
	}
}

// TestDryRunPlaceholderSaysTheWriteDidSomething: a write that is not sent
// reports true in its output's booleans (changed, created), so that a
// card conditioned on them shows as it would run.
func TestDryRunPlaceholderSaysTheWriteDidSomething(t *testing.T) {
	dir := t.TempDir()
	writeFlows(t, dir, `
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "request" {
    action = http.request
    method = "POST"
    url    = "http://127.0.0.1:1/never"
  }
  card "changed" {
    action = okta_change.change
    if     = "card.request.status == 0"
  }
  card "note" {
    action = text.compose
    if     = "card.changed.changed && card.changed.created"
    text   = "${card.changed.id}"
  }
}
`)
	f := newFakeConn()
	reg := f.registry()
	changed := cty.Object(map[string]cty.Type{"id": cty.String, "changed": cty.Bool, "created": cty.Bool, "count": cty.Number})
	reg.Register(&connector.Connector{Name: "okta_change", Actions: []*connector.Action{{
		Name: "change", Output: changed, Effect: connector.Write,
		Do: func(context.Context, *connector.Call) (cty.Value, error) {
			t.Error("a dry run sent a write")
			return cty.NilVal, errors.New("sent")
		},
	}}})
	gen, _, diags := engine.Load([]string{dir}, engine.LoadOptions{Registry: reg, Mode: lang.Live, Host: fakeHost()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	res, err := engine.DryRun(context.Background(), gen, gen.Flows["f"], []byte(`{"user":"kari"}`), engine.DryRunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]string{}
	var note string
	for _, e := range res.Journal {
		statuses[e.Card] = string(e.Status)
		if e.Card == "note" {
			note = string(e.Output)
		}
	}
	want := map[string]string{"request": "ok", "changed": "ok", "note": "ok"}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Errorf("card statuses (-want +got):\n%s", diff)
	}
	if !strings.Contains(note, engine.KnownAfterApply) {
		t.Errorf("note's output %s lacks %q", note, engine.KnownAfterApply)
	}
}

// TestDryRunSeedErrors: a row for a table that does not exist is the
// seed's mistake, and nothing runs.
func TestDryRunSeedErrors(t *testing.T) {
	for name, tables := range map[string]map[string]map[string]map[string]any{
		"no such table": {"unknown": {"k": {"user": "x"}}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFlows(t, dir, dryRunFlows)
			f := newFakeConn()
			gen, _, diags := engine.Load([]string{dir}, engine.LoadOptions{Registry: f.registry(), Mode: lang.Live, Host: fakeHost()})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			_, err := engine.DryRun(context.Background(), gen, gen.Flows["f"], []byte(`{"user":"kari"}`), engine.DryRunOptions{Tables: tables})
			var se *engine.SeedError
			if !errors.As(err, &se) {
				t.Fatalf("want a SeedError, got %v", err)
			}
		})
	}
}

// TestEmulatedConnection: the override wins, unknown values (env()) become
// null, known ones and their marks stay.
func TestEmulatedConnection(t *testing.T) {
	cfg := cty.ObjectVal(map[string]cty.Value{
		"url":   cty.StringVal("https://acme.okta.com"),
		"token": cty.UnknownVal(cty.String),
		"limit": cty.NumberIntVal(5).Mark(lang.Sensitive),
		"other": cty.UnknownVal(cty.String),
	})
	got := engine.EmulatedConnection(cfg, map[string]cty.Value{"url": cty.StringVal("http://127.0.0.1:1"), "token": cty.StringVal("t")})
	if got.GetAttr("url").AsString() != "http://127.0.0.1:1" || got.GetAttr("token").AsString() != "t" {
		t.Errorf("override not applied: %#v", got)
	}
	if !got.GetAttr("other").IsNull() {
		t.Errorf("an unknown argument must become null, got %#v", got.GetAttr("other"))
	}
	if !got.GetAttr("limit").HasMark(lang.Sensitive) {
		t.Errorf("a mark was lost: %#v", got.GetAttr("limit"))
	}
}

// TestDryRunEachSharesTheTables: the executions of one DryRunEach run in
// order on one set of flow tables, as a delivery's executions run on the
// store's, and each result lists its own execution's writes only.
func TestDryRunEachSharesTheTables(t *testing.T) {
	dir := t.TempDir()
	writeFlows(t, dir, `
table "seen" {
  columns = {
    user = string
  }
  key = "user"
}

flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "before" {
    action = table.get
    table  = table.seen
    key    = trigger.user
  }
  card "mark" {
    action = table.put
    table  = table.seen
    key    = trigger.user
    row    = { user = trigger.user }
  }
  card "write" {
    action     = fake.step
    connection = connection.fake.main
    id         = "write"
    value      = "${trigger.user} seen before: ${card.before.found}"
  }
}
`)
	f := newFakeConn()
	gen, _, diags := engine.Load([]string{dir}, engine.LoadOptions{Registry: f.registry(), Mode: lang.Live, Host: fakeHost()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	events := []engine.DryRunEvent{
		{ID: "e1", Type: "t", Payload: []byte(`{"user":"kari"}`)},
		{ID: "e2", Type: "t", Payload: []byte(`{"user":"ola"}`)},
		{ID: "e3", Type: "t", Payload: []byte(`{"user":"kari"}`)},
	}
	res, err := engine.DryRunEach(context.Background(), gen, gen.Flows["f"], events, engine.DryRunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, r := range res {
		if r.Execution.DedupKey != events[i].ID {
			t.Errorf("execution %d has key %q, want the event's id %q", i, r.Execution.DedupKey, events[i].ID)
		}
		for _, w := range r.Writes {
			var in struct{ Value string }
			if err := json.Unmarshal(w.Input, &in); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%d: %s", i, in.Value))
		}
	}
	want := []string{"0: kari seen before: false", "1: ola seen before: false", "2: kari seen before: true"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("writes of each execution (-want +got):\n%s", diff)
	}
}
