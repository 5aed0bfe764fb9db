package trigger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/cardflow/cardflow/engine/trigger"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakePoller is the Poll of a fake trigger: it records each call and emits
// one event per call, numbering events after the cursor it was given.
type fakePoller struct {
	mu    sync.Mutex
	polls []pollCall
	done  int // polls whose Emit succeeded
	fail  error
	// block, when set, makes Poll wait for it or for the context.
	block chan struct{}
}

type pollCall struct {
	Name   string // the trigger's name argument
	Cursor string // "" on the first start
}

func (p *fakePoller) poll(ctx context.Context, req *connector.PollRequest) error {
	name := connector.String(req.Config, "name")
	p.mu.Lock()
	p.polls = append(p.polls, pollCall{Name: name, Cursor: string(req.Cursor)})
	fail, block := p.fail, p.block
	p.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if fail != nil {
		return fail
	}
	n := 0
	if req.Cursor != nil {
		n, _ = strconv.Atoi(string(req.Cursor))
	}
	n++
	payload, _ := json.Marshal(map[string]any{"n": n})
	ev := connector.Event{ID: fmt.Sprintf("%s-%d", name, n), Type: "fake", Time: req.Now(), Payload: payload}
	if err := req.Emit(ctx, []connector.Event{ev}, []byte(strconv.Itoa(n))); err != nil {
		return err
	}
	p.mu.Lock()
	p.done++
	p.mu.Unlock()
	return nil
}

func (p *fakePoller) emitted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

func (p *fakePoller) calls() []pollCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]pollCall(nil), p.polls...)
}

func (p *fakePoller) count(name string) int {
	n := 0
	for _, c := range p.calls() {
		if c.Name == name {
			n++
		}
	}
	return n
}

func registry(p *fakePoller, every time.Duration) *connector.Registry {
	return registryMode(p, every, connector.Poll)
}

func registryMode(p *fakePoller, every time.Duration, mode connector.TriggerMode) *connector.Registry {
	fake := &connector.Connector{
		Name: "fake",
		Doc:  "A poller whose Poll the test controls.",
		Triggers: []*connector.Trigger{{
			Name:         "poll",
			Mode:         mode,
			Config:       connector.Schema{{Name: "name", Type: cty.String, Required: true}, {Name: "page", Type: cty.Number, Default: cty.NumberIntVal(1)}},
			Output:       cty.Object(map[string]cty.Type{"n": cty.Number}),
			DefaultEvery: every,
			Poll:         p.poll,
		}},
	}
	return connector.NewRegistry(append(core.Connectors(), fake)...)
}

// flowSrc is a flow triggered by fake.poll; extra goes into the trigger block.
func flowSrc(name, extra string) string {
	return fmt.Sprintf(`
flow %q {
  trigger "fake.poll" {
    name = %q
    %s
  }
  card "c" {
    action = text.compose
    text   = "n=${trigger.n}"
  }
}
`, name, name, extra)
}

func loadGen(t *testing.T, reg *connector.Registry, srcs ...string) *plan.Generation {
	t.Helper()
	files := map[string][]byte{}
	for i, s := range srcs {
		files[fmt.Sprintf("f%d.hcl", i)] = []byte(s)
	}
	gen, _, diags := engine.LoadSources(files, engine.LoadOptions{Registry: reg, Mode: lang.Live,
		Host: lang.Host{LookupEnv: func(string) (string, bool) { return "", false }}})
	if diags.HasErrors() {
		t.Fatalf("loading flows: %s", diags.Error())
	}
	return gen
}

type noClients struct{}

func (noClients) Get(*plan.Connection) (connector.Client, error) {
	return nil, errors.New("no connections in these tests")
}

type recorder struct {
	mu      sync.Mutex
	emitted map[string]int
	failed  map[string]int
	wakes   int
}

func (r *recorder) Emitted(flow string, n int, _ time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.emitted[flow] += n
}

func (r *recorder) PollFailed(flow string, _ error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed[flow]++
}

// Wake implements trigger.Workers: it counts wake-ups.
func (r *recorder) Wake() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.wakes++
}

// Freed implements trigger.Workers: no worker is ever freed.
func (r *recorder) Freed() <-chan struct{} { return nil }

// Hold implements trigger.Workers: it holds nothing.
func (r *recorder) Hold(string, string, *trigger.Received) bool { return false }

// Release implements trigger.Workers.
func (r *recorder) Release(string, string) {}

// Reserve implements trigger.Workers: no worker is ever idle.
func (r *recorder) Reserve(int) trigger.Reservation { return noWorkers{} }

type noWorkers struct{}

func (noWorkers) Len() int                                 { return 0 }
func (noWorkers) Claim(func(string) string) store.Claimant { return store.Claimant{} }
func (noWorkers) Start(c []trigger.Claimed) {
	if len(c) > 0 {
		panic("executions claimed without a reserved worker")
	}
}

func newManager(st store.Store, owner string) (*trigger.Manager, *recorder) {
	rec := &recorder{emitted: map[string]int{}, failed: map[string]int{}}
	intake := &trigger.Intake{Store: st, Workers: rec}
	return &trigger.Manager{Store: st, Intake: intake, Clients: noClients{}, Owner: owner, Observer: rec}, rec
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func dedupKeys(t *testing.T, st store.Store, flow string) []string {
	t.Helper()
	exs, err := st.Executions(context.Background(), store.Filter{Flow: flow, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, ex := range exs {
		keys = append(keys, ex.DedupKey)
	}
	slices.Sort(keys)
	return keys
}

func cursor(t *testing.T, st store.Store, flow string) string {
	t.Helper()
	c, err := st.Cursor(context.Background(), trigger.CursorKey(flow))
	if err != nil {
		t.Fatal(err)
	}
	return string(c)
}

func TestEventsAndCursorStoredTogether(t *testing.T) {
	p := &fakePoller{}
	st := memory.New()
	defer st.Close()
	gen := loadGen(t, registry(p, 10*time.Millisecond), flowSrc("users", ""))
	m, rec := newManager(st, "a")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.Sync(ctx, gen)
	eventually(t, "three polls", func() bool { return p.count("users") >= 3 })
	m.Stop()

	n := p.emitted()
	keys := dedupKeys(t, st, "users")
	if len(keys) != n {
		t.Errorf("%d polls but %d executions: %v", n, len(keys), keys)
	}
	if got, want := cursor(t, st, "users"), strconv.Itoa(n); got != want {
		t.Errorf("cursor %q, want %q", got, want)
	}
	// Each poll started at the cursor the previous one stored.
	for i, c := range p.calls() {
		want := ""
		if i > 0 {
			want = strconv.Itoa(i)
		}
		if c.Cursor != want {
			t.Errorf("poll %d got cursor %q, want %q", i, c.Cursor, want)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.emitted["users"] != n || rec.wakes != n {
		t.Errorf("observer saw %v emitted and %d wakes, want %d", rec.emitted, rec.wakes, n)
	}
}

func TestRestartResumesAtCursor(t *testing.T) {
	p := &fakePoller{}
	st := memory.New()
	defer st.Close()
	reg := registry(p, time.Hour)
	gen := loadGen(t, reg, flowSrc("users", ""))

	m1, _ := newManager(st, "a")
	m1.Sync(context.Background(), gen)
	eventually(t, "the first poll", func() bool { return cursor(t, st, "users") == "1" })
	m1.Stop()

	// A new process (same owner name after a restart) picks up the cursor.
	m2, _ := newManager(st, "a")
	m2.Sync(context.Background(), gen)
	eventually(t, "the second poll", func() bool { return cursor(t, st, "users") == "2" })
	m2.Stop()

	if diff := cmp.Diff([]pollCall{{"users", ""}, {"users", "1"}}, p.calls()); diff != "" {
		t.Errorf("polls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"users-1", "users-2"}, dedupKeys(t, st, "users")); diff != "" {
		t.Errorf("executions (-want +got):\n%s", diff)
	}
}

func TestSync(t *testing.T) {
	p := &fakePoller{}
	st := memory.New()
	defer st.Close()
	reg := registry(p, time.Hour) // one poll per start: polls count starts
	m, _ := newManager(st, "a")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer m.Stop()

	starts := func() map[string]int {
		out := map[string]int{}
		for _, c := range p.calls() {
			out[c.Name]++
		}
		return out
	}
	waitStarts := func(want map[string]int) {
		t.Helper()
		eventually(t, fmt.Sprintf("starts %v", want), func() bool { return cmp.Equal(want, starts()) })
		// and no more than that arrive shortly after
		time.Sleep(20 * time.Millisecond)
		if diff := cmp.Diff(want, starts()); diff != "" {
			t.Fatalf("starts (-want +got):\n%s", diff)
		}
	}

	m.Sync(ctx, loadGen(t, reg, flowSrc("keep", ""), flowSrc("every", `every = "1h"`), flowSrc("config", ""), flowSrc("gone", "")))
	waitStarts(map[string]int{"keep": 1, "every": 1, "config": 1, "gone": 1})

	// The same files again: nothing restarts.
	m.Sync(ctx, loadGen(t, reg, flowSrc("keep", ""), flowSrc("every", `every = "1h"`), flowSrc("config", ""), flowSrc("gone", "")))
	// Cards change, every changes, a setting changes, one flow goes, one comes.
	m.Sync(ctx, loadGen(t, reg,
		flowSrc("keep", "")+"\n# a comment changes nothing",
		flowSrc("every", `every = "2h"`),
		flowSrc("config", `page = 2`),
		flowSrc("new", "")))
	waitStarts(map[string]int{"keep": 1, "every": 2, "config": 2, "gone": 1, "new": 1})

	// The restarted pollers resumed at their cursor.
	for _, c := range p.calls() {
		if c.Name == "every" || c.Name == "config" {
			continue
		}
		if c.Cursor != "" {
			t.Errorf("first start of %s had cursor %q", c.Name, c.Cursor)
		}
	}
	var resumed []pollCall
	for _, c := range p.calls() {
		if (c.Name == "every" || c.Name == "config") && c.Cursor != "" {
			resumed = append(resumed, c)
		}
	}
	sortCalls(resumed)
	if diff := cmp.Diff([]pollCall{{"config", "1"}, {"every", "1"}}, resumed); diff != "" {
		t.Errorf("restarted pollers' cursors (-want +got):\n%s", diff)
	}

	// A removed flow that comes back starts again, at its cursor.
	m.Sync(ctx, loadGen(t, reg, flowSrc("keep", "")))
	m.Sync(ctx, loadGen(t, reg, flowSrc("keep", ""), flowSrc("gone", "")))
	waitStarts(map[string]int{"keep": 1, "every": 2, "config": 2, "gone": 2, "new": 1})
}

func sortCalls(c []pollCall) {
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && c[j].Name < c[j-1].Name; j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
}

// TestSyncStopsRemovedPoller checks that a removed poller's goroutine is
// gone when Sync returns, even while its Poll is blocked.
func TestSyncStopsRemovedPoller(t *testing.T) {
	p := &fakePoller{block: make(chan struct{})}
	st := memory.New()
	defer st.Close()
	reg := registry(p, time.Hour)
	m, _ := newManager(st, "a")
	m.Sync(context.Background(), loadGen(t, reg, flowSrc("slow", "")))
	eventually(t, "the poll to block", func() bool { return p.count("slow") == 1 })
	m.Sync(context.Background(), loadGen(t, reg, flowSrc("other", "")))
	m.Stop()
	if got := dedupKeys(t, st, "slow"); len(got) != 0 {
		t.Errorf("a cancelled poll stored %v", got)
	}
}

func TestLease(t *testing.T) {
	st := memory.New()
	defer st.Close()
	pa, pb := &fakePoller{}, &fakePoller{}
	// Two processes load the same flow, each with its own connector value
	// so that the test can tell whose Poll ran.
	genA := loadGen(t, registry(pa, 5*time.Millisecond), flowSrc("users", ""))
	genB := loadGen(t, registry(pb, 5*time.Millisecond), flowSrc("users", ""))
	a, _ := newManager(st, "replica-a")
	b, _ := newManager(st, "replica-b")
	a.Sync(context.Background(), genA)
	eventually(t, "a to poll", func() bool { return pa.count("users") >= 1 })
	b.Sync(context.Background(), genB)
	eventually(t, "a to poll while b runs", func() bool { return pa.count("users") >= 10 })
	if n := pb.count("users"); n != 0 {
		t.Errorf("b polled %d times while a held the lease", n)
	}
	// When a stops it gives the lease up, and b takes over at a's cursor.
	// (A poll that Stop cancels stores nothing: count completed ones.)
	a.Stop()
	eventually(t, "b to take over", func() bool { return pb.emitted() >= 1 })
	b.Stop()
	first := pb.calls()[0]
	if want := strconv.Itoa(pa.emitted()); first.Cursor != want {
		t.Errorf("b started at cursor %q, want %q", first.Cursor, want)
	}
	keys := dedupKeys(t, st, "users")
	if len(keys) != pa.emitted()+pb.emitted() {
		t.Errorf("%d executions for %d+%d polls: duplicates or gaps", len(keys), pa.emitted(), pb.emitted())
	}
}

func TestPollFailure(t *testing.T) {
	p := &fakePoller{fail: connector.Errorf(connector.Transient, "tenant down")}
	st := memory.New()
	defer st.Close()
	m, rec := newManager(st, "a")
	m.Sync(context.Background(), loadGen(t, registry(p, 5*time.Millisecond), flowSrc("users", "")))
	eventually(t, "two failed polls", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.failed["users"] >= 2
	})
	m.Stop()
	if c := cursor(t, st, "users"); c != "" {
		t.Errorf("a failed poll stored cursor %q", c)
	}
	for _, c := range p.calls() {
		if c.Cursor != "" {
			t.Errorf("a failed poll moved the cursor: %+v", c)
		}
	}
}

func TestScheduleModeRuns(t *testing.T) {
	p := &fakePoller{}
	st := memory.New()
	defer st.Close()
	m, _ := newManager(st, "a")
	m.Sync(context.Background(), loadGen(t, registryMode(p, time.Hour, connector.Schedule), flowSrc("nightly", "")))
	eventually(t, "the schedule to tick", func() bool { return p.count("nightly") == 1 })
	m.Stop()
}

func TestDisabledFlowStops(t *testing.T) {
	p := &fakePoller{}
	st := memory.New()
	defer st.Close()
	reg := registry(p, 5*time.Millisecond)
	m, _ := newManager(st, "a")
	defer m.Stop()
	m.Sync(context.Background(), loadGen(t, reg, flowSrc("users", "")))
	eventually(t, "polls", func() bool { return p.count("users") >= 2 })
	disabled := strings.Replace(flowSrc("users", ""), "flow \"users\" {", "flow \"users\" {\n  enabled = false", 1)
	m.Sync(context.Background(), loadGen(t, reg, disabled))
	n := p.count("users")
	time.Sleep(50 * time.Millisecond) // ten intervals: a running poller would tick
	if got := p.count("users"); got != n {
		t.Errorf("a disabled flow's poller polled %d more times", got-n)
	}
}
