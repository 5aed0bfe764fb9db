package engine_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
	"github.com/cardflow/cardflow/engine/trigger"
)

// callCounter is a connector whose write action counts its calls by call
// key (execution, card, instance): any key called twice is an action done
// twice.
type callCounter struct {
	mu     sync.Mutex
	calls  map[string]int
	doubly []string
	last   atomic.Int64 // calls of the flow's last card
}

func (c *callCounter) connector() *connector.Connector {
	return &connector.Connector{
		Name:       "load",
		Connection: connector.Schema{{Name: "token", Type: cty.String, Required: true, Sensitive: true}},
		Open:       func(cty.Value) (connector.Client, error) { return fakeClient{}, nil },
		Actions: []*connector.Action{{
			Name:   "write",
			Input:  connector.Schema{{Name: "value", Type: cty.String}},
			Output: cty.Object(map[string]cty.Type{"value": cty.String}),
			Effect: connector.Write,
			Do: func(_ context.Context, call *connector.Call) (cty.Value, error) {
				key := call.Key.String()
				c.mu.Lock()
				c.calls[key]++
				if c.calls[key] == 2 {
					c.doubly = append(c.doubly, key)
				}
				c.mu.Unlock()
				if call.Key.Card == "record" {
					c.last.Add(1)
				}
				return cty.ObjectVal(map[string]cty.Value{"value": call.Input.Get("value")}), nil
			},
		}},
		Triggers: []*connector.Trigger{{Name: "event", Mode: connector.Push, Output: cty.Object(map[string]cty.Type{"user": cty.String})}},
	}
}

const loadFlow = `
connection "load" "main" {
  token = env("FAKE_TOKEN")
}

flow "approve" {
  trigger "load.event" {
    connection = connection.load.main
  }
  card "read" {
    action     = load.write
    connection = connection.load.main
    value      = trigger.user
  }
  card "compose" {
    action = text.compose
    text   = "Approve ${card.read.value}"
  }
  card "record" {
    action     = load.write
    connection = connection.load.main
    value      = card.compose.text
  }
}
`

// leaseLog counts the log records that say a lease was lost or lapsed,
// and keeps the first few.
type leaseLog struct {
	lost  *atomic.Int64
	mu    *sync.Mutex
	first *[]string
}

func (h leaseLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (h leaseLog) Handle(_ context.Context, r slog.Record) error {
	if !strings.Contains(r.Message, "lease") {
		return nil
	}
	h.lost.Add(1)
	h.mu.Lock()
	if len(*h.first) < 3 {
		*h.first = append(*h.first, r.Time.Format(time.RFC3339Nano)+" "+r.Message)
	}
	h.mu.Unlock()
	return nil
}
func (h leaseLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h leaseLog) WithGroup(string) slog.Handler      { return h }

// loadExecutions is how many executions TestLoadKeepsLeases runs.
const loadExecutions = 50_000

// TestLoadKeepsLeases runs 50,000 executions through one engine on SQLite
// at full speed, pushed by eight concurrent intakes as event hooks are, with
// a short lease so that renewal runs often under the load: no lease may be
// lost (one process: no other worker exists to take one), and no action
// may run twice for one card of one execution.
func TestLoadKeepsLeases(t *testing.T) {
	if testing.Short() || raceEnabled {
		// The race detector slows the engine about eightfold: `make test`
		// runs this test again without it.
		t.Skip("load test: 50,000 executions at full speed (not with -short or -race)")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "load.hcl"), []byte(loadFlow), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(filepath.Join(dir, "cardflow.db"), sqlite.Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	counter := &callCounter{calls: make(map[string]int, 2*loadExecutions)}
	var lost atomic.Int64
	var logMu sync.Mutex
	var logged []string
	eng := engine.New(engine.Options{
		Registry: connector.NewRegistry(append(core.Connectors(), counter.connector())...),
		Store:    st, Paths: []string{dir}, Host: fakeHost(),
		Logger:  slog.New(leaseLog{lost: &lost, mu: &logMu, first: &logged}),
		Workers: 64,
		// Renewed every 2 s, a tenth of the default: dozens of renewals
		// under the load, each with seconds to spare.
		Lease: 6 * time.Second,
	})
	r := start(t, eng)

	const intakes, batch = 8, 25
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, intakes)
	for range intakes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				first := next.Add(batch) - batch
				if first >= loadExecutions {
					return
				}
				evs := make([]store.Event, 0, batch)
				for i := first; i < min(first+batch, loadExecutions); i++ {
					evs = append(evs, store.Event{Flow: "approve", DedupKey: fmt.Sprint(i), Type: "load.event",
						Payload: []byte(fmt.Sprintf(`{"user":"00u%d"}`, i)), ReceivedAt: time.Now().UTC()})
				}
				for {
					_, err := eng.Enqueue(context.Background(), evs)
					if errors.Is(err, trigger.ErrBusy) {
						time.Sleep(10 * time.Millisecond)
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("enqueue: %v", err)
	}
	deadline := time.Now().Add(10 * time.Minute)
	for counter.last.Load() < loadExecutions && time.Now().Before(deadline) && lost.Load() == 0 {
		time.Sleep(50 * time.Millisecond)
	}
	r.shutdown()

	if n := lost.Load(); n != 0 {
		t.Errorf("%d lease losses logged in one process under load, want 0: %q", n, logged)
	}
	counter.mu.Lock()
	doubly := counter.doubly
	counter.mu.Unlock()
	if len(doubly) > 0 {
		t.Errorf("%d actions ran twice for one card of one execution, e.g. %s", len(doubly), doubly[0])
	}
	if n := counter.last.Load(); n != loadExecutions {
		t.Errorf("the last card ran %d times, want %d", n, loadExecutions)
	}
	for _, s := range []store.Status{store.Pending, store.Running, store.Waiting, store.Failed} {
		exs, err := st.Executions(context.Background(), store.Filter{Status: s, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(exs) > 0 {
			t.Errorf("executions left %s after the load, e.g. %s (%s)", s, exs[0].ID, exs[0].Error)
		}
	}
}
