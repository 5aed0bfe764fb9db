package engine_test

import (
	"context"
	"testing"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
)

// TestSingleRunExecutes: each event runs to its end on the single run's own
// store, its journal returned; a key already used is a duplicate delivery.
func TestSingleRunExecutes(t *testing.T) {
	dir := t.TempDir()
	writeFlows(t, dir, oneCard)
	f := newFakeConn()
	gen, _, diags := engine.Load([]string{dir}, engine.LoadOptions{Registry: f.registry(), Mode: lang.Live, Host: fakeHost()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	clients := runtime.NewClients()
	defer clients.Close()
	run := engine.NewSingleRun(engine.SingleRunOptions{Clients: clients})
	defer run.Close()
	ctx := context.Background()
	var ids []string
	for i, user := range []string{"kari", "ola"} {
		res, err := run.Execute(ctx, gen.Flows["f"], engine.SingleEvent{Key: user, Type: "test", Payload: []byte(`{"user":"` + user + `"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Execution.Status != store.Succeeded || res.Result.Status != store.Succeeded {
			t.Fatalf("execution %d: %s (%v)", i, res.Execution.Status, res.Result.Err)
		}
		if len(res.Journal) == 0 || res.Journal[len(res.Journal)-1].Card != "a" {
			t.Errorf("execution %d: want card a in the journal, got %+v", i, res.Journal)
		}
		ids = append(ids, res.Execution.ID)
	}
	if ids[0] == ids[1] {
		t.Errorf("two events, one execution %s", ids[0])
	}
	if got := f.valuesOf("a"); len(got) != 2 || got[0] != "kari" || got[1] != "ola" {
		t.Errorf("card a saw %v, want [kari ola]", got)
	}
	if _, err := run.Execute(ctx, gen.Flows["f"], engine.SingleEvent{Key: "kari", Type: "test", Payload: []byte(`{"user":"kari"}`)}); err == nil {
		t.Error("a repeated key ran again; want the duplicate reported")
	}
}
