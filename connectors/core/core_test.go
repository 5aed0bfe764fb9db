package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/zclconf/go-cty/cty"
)

// call runs the action name of c the way the runtime does: the input is an
// object of the action's schema with defaults applied and values converted
// to the declared types.
func call(t *testing.T, c *connector.Connector, name string, args map[string]cty.Value, host connector.Host) (cty.Value, error) {
	t.Helper()
	a, ok := c.Action(name)
	if !ok {
		t.Fatalf("%s has no action %s", c.Name, name)
	}
	for k := range args {
		if _, ok := a.Input.Lookup(k); !ok {
			t.Fatalf("%s.%s has no argument %s", c.Name, name, k)
		}
	}
	in, err := connector.ArgsOf(a.Input, cty.ObjectVal(args))
	if err != nil {
		t.Fatalf("%s.%s: %v", c.Name, name, err)
	}
	return a.Do(context.Background(), &connector.Call{Input: in, Host: host, Key: connector.CallKey{Execution: "ex1", Card: "card"}})
}

// wantKind fails unless err is a connector error of kind k whose message
// contains msg.
func wantKind(t *testing.T, err error, k connector.Kind, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v containing %q", k, msg)
	}
	if got := connector.KindOf(err); got != k {
		t.Errorf("kind %v, want %v (error %v)", got, k, err)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not contain %q", err, msg)
	}
}

func wantValue(t *testing.T, got, want cty.Value) {
	t.Helper()
	if !got.RawEquals(want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}

// fakeHost is a connector.Host with in-memory tables and recorded flow calls.
type fakeHost struct {
	mu     sync.Mutex
	tables map[string]*fakeTable
	calls  []flowCall
	result cty.Value
	err    error
}

type flowCall struct {
	Flow  string
	Input cty.Value
	Async bool
}

func (h *fakeHost) Table(name string) (connector.Table, error) {
	t, ok := h.tables[name]
	if !ok {
		return nil, fmt.Errorf("there is no table %q", name)
	}
	return t, nil
}

func (h *fakeHost) CallFlow(_ context.Context, name string, input cty.Value, async bool) (cty.Value, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, flowCall{name, input, async})
	if async {
		return cty.NullVal(cty.DynamicPseudoType), h.err
	}
	return h.result, h.err
}

type fakeTable struct {
	mu   sync.Mutex
	ty   cty.Type
	rows map[string]cty.Value
	err  error // returned by every operation when set
}

func newTable(ty cty.Type) *fakeTable { return &fakeTable{ty: ty, rows: map[string]cty.Value{}} }

func (t *fakeTable) RowType() cty.Type { return t.ty }

func (t *fakeTable) Get(_ context.Context, key string) (cty.Value, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return cty.NilVal, false, t.err
	}
	r, ok := t.rows[key]
	return r, ok, nil
}

func (t *fakeTable) Put(_ context.Context, key string, row cty.Value) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return t.err
	}
	if !row.Type().Equals(t.ty) {
		return errors.New("row of the wrong type")
	}
	t.rows[key] = row
	return nil
}

func (t *fakeTable) Delete(_ context.Context, key string) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return false, t.err
	}
	_, ok := t.rows[key]
	delete(t.rows, key)
	return ok, nil
}

func (t *fakeTable) Scan(_ context.Context, fn func(string, cty.Value) bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return t.err
	}
	for _, k := range connector.SortedKeys(t.rows) {
		if !fn(k, t.rows[k]) {
			return nil
		}
	}
	return nil
}

func TestConnectorsHaveUniqueNamesAndDocs(t *testing.T) {
	r := connector.NewRegistry(Connectors()...) // panics on duplicates
	for _, n := range r.Names() {
		c, _ := r.Connector(n)
		if c.Doc == "" {
			t.Errorf("%s has no Doc", n)
		}
		for _, a := range c.Actions {
			if a.Doc == "" || a.Do == nil {
				t.Errorf("%s.%s lacks Doc or Do", n, a.Name)
			}
		}
	}
}
