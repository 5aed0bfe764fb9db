package engine_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/zclconf/go-cty/cty"
)

// stepFunc is what a fake card does on its nth call (1-based).
type stepFunc func(ctx context.Context, n int, call *connector.Call) (cty.Value, error)

// fakeConn is a connector whose action fake.step does what the test says
// for the step named by its id argument, and records every call.
type fakeConn struct {
	mu     sync.Mutex
	steps  map[string]stepFunc
	calls  map[string]int
	values map[string][]any
}

func newFakeConn() *fakeConn {
	return &fakeConn{steps: map[string]stepFunc{}, calls: map[string]int{}, values: map[string][]any{}}
}

type fakeClient struct{}

func (fakeClient) Close() error { return nil }

func (f *fakeConn) registry() *connector.Registry {
	c := &connector.Connector{
		Name: "fake",
		Connection: connector.Schema{
			{Name: "token", Type: cty.String, Required: true, Sensitive: true},
		},
		Open: func(cty.Value) (connector.Client, error) { return fakeClient{}, nil },
		Actions: []*connector.Action{{
			Name: "step",
			Input: connector.Schema{
				{Name: "id", Type: cty.String, Required: true},
				{Name: "value", Type: cty.DynamicPseudoType},
			},
			Output: cty.Object(map[string]cty.Type{"id": cty.String, "value": cty.DynamicPseudoType}),
			Effect: connector.Write,
			Do:     f.do,
		}},
		Triggers: []*connector.Trigger{{
			Name:   "event",
			Mode:   connector.Push,
			Output: cty.Object(map[string]cty.Type{"user": cty.String}),
		}},
	}
	return connector.NewRegistry(append(core.Connectors(), c)...)
}

func (f *fakeConn) do(ctx context.Context, call *connector.Call) (cty.Value, error) {
	id := call.Input.String("id")
	v, _ := connector.ToGo(call.Input.Get("value"))
	f.mu.Lock()
	f.calls[id]++
	n := f.calls[id]
	f.values[id] = append(f.values[id], v)
	step := f.steps[id]
	f.mu.Unlock()
	if step != nil {
		return step(ctx, n, call)
	}
	return echo(call), nil
}

func echo(call *connector.Call) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"id": call.Input.Get("id"), "value": call.Input.Get("value")})
}

func (f *fakeConn) on(id string, s stepFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.steps[id] = s
}

func (f *fakeConn) counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.calls {
		out[k] = v
	}
	return out
}

func (f *fakeConn) valuesOf(id string) []any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]any(nil), f.values[id]...)
}

const connectionBlock = `
connection "fake" "main" {
  token = env("FAKE_TOKEN")
}
`

func fakeHost() lang.Host {
	return lang.Host{LookupEnv: func(k string) (string, bool) {
		if k == "FAKE_TOKEN" {
			return "tok-engine-test", true
		}
		return "", false
	}}
}

// finished is a slog handler that reports the id of every execution that
// finished, so that tests wait for outcomes without sleeping.
type finished struct {
	attrs []slog.Attr
	ch    chan string
	seen  map[string]bool // read by the test goroutine only
}

func newFinished() *finished { return &finished{ch: make(chan string, 100), seen: map[string]bool{}} }

func (h *finished) Enabled(context.Context, slog.Level) bool { return true }

func (h *finished) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "execution finished" {
		return nil
	}
	id := ""
	for _, a := range h.attrs {
		if a.Key == "execution" {
			id = a.Value.String()
		}
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "execution" {
			id = a.Value.String()
		}
		return true
	})
	h.ch <- id
	return nil
}

func (h *finished) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &finished{attrs: append(append([]slog.Attr(nil), h.attrs...), attrs...), ch: h.ch, seen: h.seen}
}

func (h *finished) WithGroup(string) slog.Handler { return h }

// wait returns once execution id finished, or fails the test.
func (h *finished) wait(t testing.TB, id string) {
	t.Helper()
	if h.seen[id] {
		return
	}
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case got := <-h.ch:
			h.seen[got] = true
			if got == id {
				return
			}
		case <-timeout.C:
			t.Fatalf("execution %s did not finish", id)
		}
	}
}

// running is an engine serving in the background.
type running struct {
	eng  *engine.Engine
	stop context.CancelFunc
	done chan error
}

func start(t testing.TB, eng *engine.Engine) *running {
	t.Helper()
	if _, err := eng.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{eng: eng, stop: cancel, done: make(chan error, 1)}
	go func() { r.done <- eng.Run(ctx) }()
	t.Cleanup(r.shutdown)
	return r
}

// shutdown stops the engine and waits for Run to return.
func (r *running) shutdown() {
	if r.stop == nil {
		return
	}
	r.stop()
	<-r.done
	r.stop = nil
}

func writeFlows(t testing.TB, dir, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "flows.hcl"), []byte(connectionBlock+src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func enqueue(t testing.TB, eng *engine.Engine, flow, key, user string) store.Enqueued {
	t.Helper()
	payload, _ := json.Marshal(map[string]string{"user": user})
	res, err := eng.Enqueue(context.Background(), []store.Event{{Flow: flow, DedupKey: key, Type: "fake.event", Payload: payload}})
	if err != nil {
		t.Fatal(err)
	}
	return res[0]
}

func journalOf(t testing.TB, s store.Store, id string) []store.JournalEntry {
	t.Helper()
	j, err := s.Journal(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func executionOf(t testing.TB, s store.Store, id string) *store.Execution {
	t.Helper()
	ex, err := s.Execution(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}
