package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/zclconf/go-cty/cty"
)

// DryRunOptions configure DryRun.
type DryRunOptions struct {
	// Emulated points, by connector name, every connection of a connector
	// at its emulator: the arguments that replace the connection's (address
	// and credentials, the credentials marked lang.Sensitive). Connections
	// of other connectors read from the systems they configure (--live).
	Emulated map[string]map[string]cty.Value
	// Tables are flow table rows written before the run: table, key, row.
	Tables map[string]map[string]map[string]any
	// WriteEmulators says that the emulators of Emulated are the dry run's
	// own, thrown away after it: the writes of cards on their connections
	// are sent to them (and reported all the same), so that later cards see
	// what the tenant would most likely answer, a not_found included.
	// Without it, and for every other write, nothing is sent and the card's
	// output is a placeholder (see KnownAfterApply).
	WriteEmulators bool
}

// InterceptedWrite is a write a dry run did not send. Input is the card's
// input as the journal keeps it: the arguments the action marks sensitive,
// and every value derived from a sensitive one, are redacted.
type InterceptedWrite struct {
	Card   string          `json:"card"`
	Action string          `json:"action"`
	Input  json.RawMessage `json:"input"`
	// Emulated is true when the write went to the dry run's own emulator
	// (DryRunOptions.WriteEmulators), whose answer later cards saw.
	Emulated bool `json:"emulated"`
}

// DryRunResult is what a dry run saw.
type DryRunResult struct {
	Execution *store.Execution
	Journal   []store.JournalEntry
	// Writes are the intercepted writes, in the order the cards made them.
	Writes []InterceptedWrite
	// WouldSucceed is false when the execution failed.
	WouldSucceed bool
}

// SeedError is a table row of DryRunOptions.Tables that does not fit its
// table: a mistake of the seed file, not of cardflow.
type SeedError struct{ Err error }

func (e *SeedError) Error() string { return e.Err.Error() }
func (e *SeedError) Unwrap() error { return e.Err }

// DryRun executes flow of gen once for the trigger value payload without
// side effects: every write that would leave the engine is intercepted and
// recorded (and, with opts.WriteEmulators, sent to the dry run's own
// emulator), reads are served by the emulators of opts.Emulated (or by the
// tenants), flow tables live in memory. The connections of gen are pointed at the
// emulators in place: gen is the dry run's own.
func DryRun(ctx context.Context, gen *plan.Generation, flow *plan.Flow, payload []byte, opts DryRunOptions) (*DryRunResult, error) {
	res, err := DryRunEach(ctx, gen, flow, []DryRunEvent{{Payload: payload}}, opts)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// DryRunEvent is one event a dry run executes its flow for.
type DryRunEvent struct {
	// ID tells the events of one dry run apart, as cardflow run's dedup
	// key does (an Okta event's uuid); "" for a dry run of one event.
	ID   string
	Type string
	// Payload is the trigger value.
	Payload []byte
}

// DryRunEach is DryRun for the events of one delivery: one execution per
// event, in order, as cardflow run starts them, against the same emulators
// and flow tables, so that an execution sees what those before it wrote.
// It returns a result per event; the IDs of events must differ.
func DryRunEach(ctx context.Context, gen *plan.Generation, flow *plan.Flow, events []DryRunEvent, opts DryRunOptions) ([]*DryRunResult, error) {
	for addr, conn := range gen.Connections {
		if override, ok := opts.Emulated[conn.Connector.Name]; ok {
			conn.Config = EmulatedConnection(conn.Config, override)
			conn.Hash = "dry-run/" + addr
		}
	}
	writes := interceptor{emulated: map[string]bool{}}
	if opts.WriteEmulators {
		for name := range opts.Emulated {
			writes.emulated[name] = true
		}
	}
	run := NewSingleRun(SingleRunOptions{Invoker: runtime.InvokeFunc(writes.invoke)})
	defer run.Close()
	if err := seedTables(ctx, run, gen, opts.Tables); err != nil {
		return nil, err
	}
	out := make([]*DryRunResult, 0, len(events))
	for _, ev := range events {
		key, typ := ev.ID, ev.Type
		if key == "" {
			key, typ = "dry-run", "dry-run"
		}
		res, err := run.Execute(ctx, flow, SingleEvent{Key: key, Type: typ, Payload: ev.Payload})
		if err != nil {
			return nil, err
		}
		out = append(out, &DryRunResult{
			Execution: res.Execution, Journal: res.Journal,
			Writes: writes.list(res.Execution.ID, res.Journal), WouldSucceed: res.Result.Status != store.Failed,
		})
	}
	return out, nil
}

// EmulatedConnection is a connection's settings with the arguments of
// override (an emulator's address and credentials); arguments override
// does not name keep their values, or are null when unknown (env() is
// not read for an emulator). Marks are kept. Dry runs and flow tests both
// point connections at emulators with it.
func EmulatedConnection(cfg cty.Value, override map[string]cty.Value) cty.Value {
	vals := map[string]cty.Value{}
	for name, ty := range cfg.Type().AttributeTypes() {
		v := cfg.GetAttr(name)
		if o, ok := override[name]; ok {
			v = o
		} else if !v.IsWhollyKnown() {
			v = cty.NullVal(ty)
		}
		vals[name] = v
	}
	return cty.ObjectVal(vals)
}

// interceptor invokes reads and records writes instead of sending them,
// or sends them to the dry run's own emulators.
type interceptor struct {
	emulated map[string]bool // connectors whose writes go to an emulator
	mu       sync.Mutex
	writes   []recordedWrite
}

// recordedWrite is an intercepted write before its input is known: the
// runtime journals the input with every sensitive value redacted (marked
// ones too, such as a sensitive variable in a URL), and the dry run
// reports it as journaled.
type recordedWrite struct {
	card, action string
	key          connector.CallKey
	emulated     bool
}

func (i *interceptor) invoke(ctx context.Context, card *plan.Card, call *connector.Call) (cty.Value, error) {
	// A write of a connector without a connection leaves the engine too
	// (http.request): only the engine's own writes (flow tables, helper
	// flows) run, against the dry run's in-memory store.
	if card.Action.Effect != connector.Write || card.Connector.InEngine {
		out, err := runtime.DirectInvoker(ctx, card, call)
		if w := (*connector.Wait)(nil); errors.As(err, &w) && call.Woke.IsZero() {
			// A dry run does not wait (flow.wait): it goes on as if the
			// time had come.
			call.Woke = w.Until
			if w.For > 0 {
				call.Woke = time.Now().Add(w.For)
			}
			out, err = runtime.DirectInvoker(ctx, card, call)
		}
		return out, err
	}
	w := recordedWrite{card: card.Name, action: card.Connector.Name + "." + card.Action.Name, key: call.Key, emulated: i.emulated[card.Connector.Name]}
	i.record(w)
	if w.emulated {
		return runtime.DirectInvoker(ctx, card, call)
	}
	return placeholder(card.Action.Output), nil
}

// record adds w, once per card instance: a retried write is one write.
func (i *interceptor) record(w recordedWrite) {
	i.mu.Lock()
	defer i.mu.Unlock()
	for _, old := range i.writes {
		if old.key == w.key {
			return
		}
	}
	i.writes = append(i.writes, w)
}

// list returns the intercepted writes of execution id with their inputs
// as its journal records them. A write whose entry is missing shows no
// input rather than an unredacted one.
func (i *interceptor) list(id string, journal []store.JournalEntry) []InterceptedWrite {
	i.mu.Lock()
	defer i.mu.Unlock()
	out := make([]InterceptedWrite, 0, len(i.writes))
	for _, w := range i.writes {
		if w.key.Execution != id {
			continue
		}
		in := json.RawMessage("null")
		for _, e := range journal {
			if e.Card == w.key.Card && e.Key == w.key.Instance && e.Input != nil {
				in = e.Input
			}
		}
		out = append(out, InterceptedWrite{Card: w.card, Action: w.action, Input: in, Emulated: w.emulated})
	}
	return out
}

// KnownAfterApply is the string output of an intercepted write, as
// Terraform prints what a plan cannot know yet.
const KnownAfterApply = "(known after apply)"

// placeholder is the output of an intercepted write: strings say it is not
// known, the rest is empty, so that later cards can still be evaluated.
// Booleans are true: those of write outputs say that the write did
// something (changed, created, deleted), which is what it was sent for, so
// that cards conditioned on them show as they would run.
func placeholder(ty cty.Type) cty.Value {
	switch {
	case ty == cty.String:
		return cty.StringVal(KnownAfterApply)
	case ty == cty.Number:
		return cty.Zero
	case ty == cty.Bool:
		return cty.True
	case ty.IsListType():
		return cty.ListValEmpty(ty.ElementType())
	case ty.IsSetType():
		return cty.SetValEmpty(ty.ElementType())
	case ty.IsMapType():
		return cty.MapValEmpty(ty.ElementType())
	case ty.IsObjectType():
		vals := map[string]cty.Value{}
		for name, aty := range ty.AttributeTypes() {
			vals[name] = placeholder(aty)
		}
		return cty.ObjectVal(vals)
	}
	return cty.NullVal(ty)
}

// seedTables writes the seed's table rows, each checked against its table's
// row type.
func seedTables(ctx context.Context, run *SingleRun, gen *plan.Generation, tables map[string]map[string]map[string]any) error {
	for name, rows := range tables {
		t, ok := gen.Config.Tables[name]
		if !ok {
			return &SeedError{fmt.Errorf("there is no table %q", name)}
		}
		for key, row := range rows {
			v, err := connector.FromGo(row, t.RowType())
			if err != nil {
				return &SeedError{fmt.Errorf("table %s row %s: %w", name, key, err)}
			}
			g, _ := connector.ToGo(v)
			b, _ := json.Marshal(g)
			if err := run.PutRow(ctx, name, key, b); err != nil {
				return &SeedError{err}
			}
		}
	}
	return nil
}
