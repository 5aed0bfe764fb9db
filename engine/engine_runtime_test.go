package engine_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/cardflow/cardflow/engine/store/sqlite"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

func openStore(t testing.TB, kind, path string) store.Store {
	t.Helper()
	switch kind {
	case "memory":
		return memory.New()
	case "sqlite":
		s, err := sqlite.Open(path, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t.Fatalf("no store %q", kind)
	return nil
}

const oneCard = `
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
}
`

// TestDedup: the same dedup key twice, even at once, gives one execution.
func TestDedup(t *testing.T) {
	for _, kind := range []string{"memory", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			st := openStore(t, kind, filepath.Join(t.TempDir(), "cardflow.db"))
			defer st.Close()
			dir := t.TempDir()
			writeFlows(t, dir, oneCard)
			f := newFakeConn()
			fin := newFinished()
			eng := engine.New(engine.Options{Registry: f.registry(), Store: st, Paths: []string{dir}, Host: fakeHost(), Logger: slog.New(fin), Workers: 4})

			first := enqueue(t, eng, "f", "evt-1", "u1")
			again := enqueue(t, eng, "f", "evt-1", "u1")
			if first.Duplicate || !again.Duplicate || again.ID != first.ID {
				t.Fatalf("enqueue twice: %+v then %+v, want one execution", first, again)
			}
			// The same event delivered by several requests at once.
			var wg sync.WaitGroup
			results := make([]store.Enqueued, 8)
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i] = enqueue(t, eng, "f", "evt-2", "u2")
				}()
			}
			wg.Wait()
			fresh := 0
			for _, r := range results {
				if !r.Duplicate {
					fresh++
				}
				if r.ID != results[0].ID {
					t.Errorf("concurrent enqueues gave ids %s and %s", r.ID, results[0].ID)
				}
			}
			if fresh != 1 {
				t.Errorf("%d of 8 concurrent enqueues created an execution, want 1", fresh)
			}

			run := start(t, eng)
			fin.wait(t, first.ID)
			fin.wait(t, results[0].ID)
			// A redelivery after the execution finished is still a duplicate.
			if late := enqueue(t, eng, "f", "evt-1", "u1"); !late.Duplicate || late.ID != first.ID {
				t.Errorf("late redelivery: %+v, want a duplicate of %s", late, first.ID)
			}
			run.shutdown()

			exs, err := st.Executions(context.Background(), store.Filter{Flow: "f"})
			if err != nil {
				t.Fatal(err)
			}
			if len(exs) != 2 {
				t.Errorf("%d executions, want 2", len(exs))
			}
			if diff := cmp.Diff(map[string]int{"a": 2}, f.counts()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]any{"u1", "u2"}, sortedAny(f.valuesOf("a"))); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

func sortedAny(vs []any) []any {
	ss := make([]string, len(vs))
	for i, v := range vs {
		ss[i] = fmt.Sprint(v)
	}
	for i := range ss {
		for j := i + 1; j < len(ss); j++ {
			if ss[j] < ss[i] {
				ss[i], ss[j] = ss[j], ss[i]
			}
		}
	}
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// versioned is a three-card flow whose values say which version of the
// file it came from; version B adds a card.
func versioned(v string) string {
	extra := ""
	if v == "B" {
		extra = `
  card "extra" {
    action     = fake.step
    connection = connection.fake.main
    id         = "extra"
    value      = "B"
  }`
	}
	return fmt.Sprintf(`
flow "f" {
  trigger "fake.event" {
    connection = connection.fake.main
  }
  card "first" {
    action     = fake.step
    connection = connection.fake.main
    id         = "first"
    value      = "%[1]s"
  }
  card "block" {
    action     = fake.step
    connection = connection.fake.main
    id         = "block"
    value      = card.first.value
  }
  card "last" {
    action     = fake.step
    connection = connection.fake.main
    id         = "last"
    value      = "${card.block.value}-last-%[1]s"
  }%[2]s
}
`, v, extra)
}

func cardNames(j []store.JournalEntry) []string {
	var out []string
	for _, e := range j {
		out = append(out, e.Card+":"+string(e.Status))
	}
	return out
}

// TestPinnedDefinition: the flow file changes while an execution is
// half-way; it finishes on the definition it started with, and the next
// execution runs on the new one.
func TestPinnedDefinition(t *testing.T) {
	st := memory.New()
	defer st.Close()
	dir := t.TempDir()
	writeFlows(t, dir, versioned("A"))
	f := newFakeConn()
	entered, release := make(chan struct{}), make(chan struct{})
	f.on("block", func(ctx context.Context, n int, call *connector.Call) (cty.Value, error) {
		if n == 1 {
			close(entered)
			<-release
		}
		return echo(call), nil
	})
	fin := newFinished()
	eng := engine.New(engine.Options{Registry: f.registry(), Store: st, Paths: []string{dir}, Host: fakeHost(), Logger: slog.New(fin)})
	run := start(t, eng)
	hashA := eng.Generation().Flows["f"].Hash

	e1 := enqueue(t, eng, "f", "one", "u1")
	<-entered
	writeFlows(t, dir, versioned("B"))
	if _, err := eng.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	hashB := eng.Generation().Flows["f"].Hash
	if hashA == hashB {
		t.Fatal("the new file has the same definition hash")
	}
	close(release)
	fin.wait(t, e1.ID)

	e2 := enqueue(t, eng, "f", "two", "u2")
	fin.wait(t, e2.ID)
	run.shutdown()

	tests := []struct {
		id, hash string
		cards    []string
	}{
		{e1.ID, hashA, []string{"first:ok", "block:ok", "last:ok"}},
		{e2.ID, hashB, []string{"first:ok", "block:ok", "last:ok", "extra:ok"}},
	}
	for _, tt := range tests {
		ex := executionOf(t, st, tt.id)
		if ex.Status != store.Succeeded || ex.DefinitionHash != tt.hash {
			t.Errorf("execution %s: %s on %s, want succeeded on %s (%s)", tt.id, ex.Status, ex.DefinitionHash, tt.hash, ex.Error)
		}
		if diff := cmp.Diff(tt.cards, cardNames(journalOf(t, st, tt.id))); diff != "" {
			t.Errorf("journal of %s (-want +got):\n%s", tt.id, diff)
		}
	}
	if diff := cmp.Diff([]any{"A-last-A", "B-last-B"}, f.valuesOf("last")); diff != "" {
		t.Errorf("last's values (-want +got):\n%s", diff)
	}
}

// TestResumePinnedAfterRestart: a process stops while an execution is
// half-way, the file changes, a new process over the same database
// resumes the execution on its pinned definition (rebuilt from the stored
// snapshot) without re-running the cards before it, and new executions run
// on the new file.
func TestResumePinnedAfterRestart(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cardflow.db")
	dir := t.TempDir()
	writeFlows(t, dir, versioned("A"))
	f := newFakeConn()
	entered := make(chan struct{})
	f.on("block", func(ctx context.Context, n int, call *connector.Call) (cty.Value, error) {
		if n == 1 {
			// The process stops while this card runs.
			close(entered)
			<-ctx.Done()
			return cty.NilVal, ctx.Err()
		}
		return echo(call), nil
	})
	fin := newFinished()
	opts := func(st store.Store) engine.Options {
		return engine.Options{Registry: f.registry(), Store: st, Paths: []string{dir}, Host: fakeHost(),
			Logger: slog.New(fin), Drain: time.Millisecond}
	}

	st1 := openStore(t, "sqlite", dbPath)
	eng1 := engine.New(opts(st1))
	run1 := start(t, eng1)
	hashA := eng1.Generation().Flows["f"].Hash
	e1 := enqueue(t, eng1, "f", "one", "u1")
	<-entered
	run1.shutdown()
	if err := st1.Close(); err != nil {
		t.Fatal(err)
	}

	writeFlows(t, dir, versioned("B"))
	st2 := openStore(t, "sqlite", dbPath)
	defer st2.Close()
	if ex := executionOf(t, st2, e1.ID); ex.Status != store.Pending || ex.DefinitionHash != hashA {
		t.Fatalf("after the stop: %s on %q, want pending on %s", ex.Status, ex.DefinitionHash, hashA)
	}
	eng2 := engine.New(opts(st2))
	run2 := start(t, eng2)
	hashB := eng2.Generation().Flows["f"].Hash
	fin.wait(t, e1.ID)
	e2 := enqueue(t, eng2, "f", "two", "u2")
	fin.wait(t, e2.ID)
	run2.shutdown()

	ex := executionOf(t, st2, e1.ID)
	if ex.Status != store.Succeeded || ex.DefinitionHash != hashA {
		t.Errorf("resumed execution: %s on %s, want succeeded on %s (%s)", ex.Status, ex.DefinitionHash, hashA, ex.Error)
	}
	if diff := cmp.Diff([]string{"first:ok", "block:ok", "last:ok"}, cardNames(journalOf(t, st2, e1.ID))); diff != "" {
		t.Errorf("journal of the resumed execution (-want +got):\n%s", diff)
	}
	if ex := executionOf(t, st2, e2.ID); ex.DefinitionHash != hashB || ex.Status != store.Succeeded {
		t.Errorf("new execution: %s on %s, want succeeded on %s", ex.Status, ex.DefinitionHash, hashB)
	}
	// first ran once per execution; block twice for the first (the stop
	// interrupted it); last on A, then on B.
	if diff := cmp.Diff(map[string]int{"first": 2, "block": 3, "last": 2, "extra": 1}, f.counts()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"A-last-A", "B-last-B"}, f.valuesOf("last")); diff != "" {
		t.Errorf("last's values (-want +got):\n%s", diff)
	}
}
