package runtime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/zclconf/go-cty/cty"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Secrets the fake environment hands out; none may reach the journal,
// outputs or logs.
const (
	secretToken = "tok-SECRET-4711-conn"
	secretVar   = "var-SECRET-0815-api"
	secretArg   = "arg-SECRET-2342-pass"
)

var fakeEnv = map[string]string{
	"FAKE_URL":    "https://fake.example.com",
	"FAKE_TOKEN":  secretToken,
	"FAKE_SECRET": secretArg,
}

// stepFunc is what a fake card does on its nth call (1-based).
type stepFunc func(ctx context.Context, n int, call *connector.Call) (cty.Value, error)

// fake is a connector whose one action, fake.step, does what the test says
// for the step named by its id argument, and counts the calls.
type fake struct {
	mu     sync.Mutex
	steps  map[string]stepFunc
	calls  map[string]int
	inputs map[string][]cty.Value
	keys   map[string][]string // the Key of each call, as a string
	tokens []string            // the token of the client each call got
	// openErr, when set, is what Open returns instead of a client.
	openErr error
}

func newFake() *fake {
	return &fake{steps: map[string]stepFunc{}, calls: map[string]int{}, inputs: map[string][]cty.Value{}, keys: map[string][]string{}}
}

var stepOutput = cty.Object(map[string]cty.Type{"id": cty.String, "value": cty.DynamicPseudoType, "n": cty.Number})

// fakeClient is the provisioned fake connection.
type fakeClient struct{ token string }

func (*fakeClient) Close() error { return nil }

func (f *fake) connector() *connector.Connector {
	return &connector.Connector{
		Name: "fake",
		Connection: connector.Schema{
			{Name: "url", Type: cty.String, Required: true},
			{Name: "token", Type: cty.String, Required: true, Sensitive: true},
		},
		Open: func(cfg cty.Value) (connector.Client, error) {
			if f.openErr != nil {
				return nil, f.openErr
			}
			return &fakeClient{token: connector.String(cfg, "token")}, nil
		},
		Actions: []*connector.Action{{
			Name: "step",
			Input: connector.Schema{
				{Name: "id", Type: cty.String, Required: true},
				{Name: "value", Type: cty.DynamicPseudoType},
				{Name: "secret", Type: cty.String, Sensitive: true},
			},
			Output: stepOutput,
			Effect: connector.Write,
			Do:     f.do,
		}, {
			// pure is step without side effects (as text.compose).
			Name: "pure",
			Input: connector.Schema{
				{Name: "id", Type: cty.String, Required: true},
				{Name: "value", Type: cty.DynamicPseudoType},
			},
			Output: stepOutput,
			Effect: connector.Pure,
			Do:     f.do,
		}},
		Triggers: []*connector.Trigger{{
			Name: "event",
			Mode: connector.Push,
			Output: cty.Object(map[string]cty.Type{
				"user":     cty.String,
				"items":    cty.List(cty.String),
				"password": cty.String,
			}),
		}},
	}
}

func (f *fake) do(ctx context.Context, call *connector.Call) (cty.Value, error) {
	id := call.Input.String("id")
	f.mu.Lock()
	f.calls[id]++
	n := f.calls[id]
	f.inputs[id] = append(f.inputs[id], call.Input.Object())
	f.keys[id] = append(f.keys[id], call.Key.String())
	if c, ok := call.Client.(*fakeClient); ok {
		f.tokens = append(f.tokens, c.token)
	}
	step := f.steps[id]
	f.mu.Unlock()
	if step != nil {
		return step(ctx, n, call)
	}
	return echo(n, call), nil
}

// echo is the default step: its output repeats the id and value.
func echo(n int, call *connector.Call) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"id":    call.Input.Get("id"),
		"value": call.Input.Get("value"),
		"n":     cty.NumberIntVal(int64(n)),
	})
}

func (f *fake) on(id string, s stepFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.steps[id] = s
}

func (f *fake) counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.calls))
	for k, v := range f.calls {
		out[k] = v
	}
	return out
}

func (f *fake) registry() *connector.Registry {
	return connector.NewRegistry(append(core.Connectors(), f.connector())...)
}

// header is the connection every test flow uses.
const header = `
connection "fake" "main" {
  url   = env("FAKE_URL")
  token = env("FAKE_TOKEN")
}
`

// fakeClock is a Clock whose Sleep records the delay and moves time on at
// once.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// syncBuffer is a bytes.Buffer for concurrent log writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness is an executor over a memory store with the fake connector.
type harness struct {
	t     testing.TB
	fake  *fake
	gen   *plan.Generation
	store *memory.Store
	clock *fakeClock
	logs  *syncBuffer
	exec  *runtime.Executor
}

type harnessOption func(*harnessConfig)

type harnessConfig struct {
	vars lang.VarValues
	rand func(int64) int64
	park bool
}

// withParking parks executions whose wait is longer than
// runtime.DefaultParkAfter, as cardflow run does. Without it every wait
// is a sleep of the fake clock, which moves on at once: the retry tests
// see each delay the policy chose.
func withParking() harnessOption {
	return func(c *harnessConfig) { c.park = true }
}

func withVars(env map[string]string) harnessOption {
	return func(c *harnessConfig) { c.vars.Env = env }
}

func withRand(r func(int64) int64) harnessOption {
	return func(c *harnessConfig) { c.rand = r }
}

// loadGen compiles sources in Live mode with the fake environment.
func loadGen(t testing.TB, reg *connector.Registry, src string, vars lang.VarValues) *plan.Generation {
	t.Helper()
	gen, _, diags := engine.LoadSources(map[string][]byte{"flows.hcl": []byte(header + src)}, engine.LoadOptions{
		Registry: reg, Vars: vars, Mode: lang.Live, Host: fakeHost(),
	})
	if diags.HasErrors() {
		t.Fatalf("loading flows: %s", diags.Error())
	}
	return gen
}

func fakeHost() lang.Host {
	return lang.Host{LookupEnv: func(k string) (string, bool) {
		v, ok := fakeEnv[k]
		return v, ok
	}}
}

func newHarness(t testing.TB, src string, opts ...harnessOption) *harness {
	t.Helper()
	var cfg harnessConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.rand == nil {
		cfg.rand = func(n int64) int64 { return n - 1 } // the top of the jitter range
	}
	f := newFake()
	h := &harness{t: t, fake: f, store: memory.New(), clock: newFakeClock(), logs: &syncBuffer{}}
	h.gen = loadGen(t, f.registry(), src, cfg.vars)
	h.exec = &runtime.Executor{
		Store:   h.store,
		Clients: runtime.NewClients(),
		Clock:   h.clock,
		Logger:  slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Rand:    cfg.rand,
	}
	if !cfg.park {
		h.exec.ParkAfter = runtime.NeverPark
	}
	t.Cleanup(func() {
		h.exec.Clients.Close()
		h.store.Close()
	})
	return h
}

// enqueue adds an event for flow and claims it.
func (h *harness) enqueue(flow, key string, payload any) *store.Execution {
	h.t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := h.store.Enqueue(ctx, []store.Event{{Flow: flow, DedupKey: key, Type: "fake.event", Payload: b}}, store.EnqueueOptions{}); err != nil {
		h.t.Fatal(err)
	}
	exs, err := h.store.Claim(ctx, "test", 1, time.Minute, store.ClaimOptions{})
	if err != nil || len(exs) != 1 {
		h.t.Fatalf("claim: %v, %d executions", err, len(exs))
	}
	return exs[0]
}

// run executes flow for payload and returns the result and the stored
// execution.
func (h *harness) run(flow string, payload any) (runtime.Result, *store.Execution) {
	h.t.Helper()
	ex := h.enqueue(flow, "", payload)
	return h.execute(ex, flow)
}

func (h *harness) execute(ex *store.Execution, flow string) (runtime.Result, *store.Execution) {
	h.t.Helper()
	f, ok := h.gen.Flows[flow]
	if !ok {
		h.t.Fatalf("no flow %q", flow)
	}
	res := h.exec.Execute(context.Background(), ex, f)
	stored, err := h.store.Execution(context.Background(), ex.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return res, stored
}

func (h *harness) journal(id string) []store.JournalEntry {
	h.t.Helper()
	j, err := h.store.Journal(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return j
}

// entry is the part of a journal entry tests compare.
type entry struct {
	Card, Key string
	Attempt   int
	Status    store.EntryStatus
	ErrorKind string
}

func entries(j []store.JournalEntry) []entry {
	out := make([]entry, len(j))
	for i, e := range j {
		out[i] = entry{Card: e.Card, Key: e.Key, Attempt: e.Attempt, Status: e.Status, ErrorKind: e.ErrorKind}
	}
	return out
}

// jsonOf decodes JSON for comparisons.
func jsonOf(t testing.TB, b []byte) any {
	t.Helper()
	if len(b) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return v
}

// fail returns a step that fails with err on its first n calls, then
// echoes.
func fail(n int, err func() error) stepFunc {
	return func(_ context.Context, i int, call *connector.Call) (cty.Value, error) {
		if i <= n {
			return cty.NilVal, err()
		}
		return echo(i, call), nil
	}
}

func marshalJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
