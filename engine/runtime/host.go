package runtime

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// host lends engine services to one card instance.
type host struct {
	run  *run
	card string
	key  string

	mu     sync.Mutex
	writes []store.TableWrite // the attempt's table writes, in order
}

// reset makes h a host of no card, for its next one.
func (h *host) reset() {
	h.mu.Lock()
	h.run, h.card, h.key, h.writes = nil, "", "", nil
	h.mu.Unlock()
}

// takeWrites returns the table writes of the attempt that ended and
// forgets them: a success journals them with its entry, a failure drops
// them, so a table changes only with the result of the card that changed
// it.
func (h *host) takeWrites() []store.TableWrite {
	h.mu.Lock()
	defer h.mu.Unlock()
	w := h.writes
	h.writes = nil
	return w
}

// staged returns the attempt's latest write of a row, if any.
func (h *host) staged(table, key string) (store.TableWrite, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.writes) - 1; i >= 0; i-- {
		if w := h.writes[i]; w.Table == table && w.Key == key {
			return w, true
		}
	}
	return store.TableWrite{}, false
}

// snapshot returns a copy of the attempt's writes.
func (h *host) snapshot() []store.TableWrite {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.writes)
}

func (h *host) stage(w store.TableWrite) {
	h.mu.Lock()
	h.writes = append(h.writes, w)
	h.mu.Unlock()
}

var _ connector.Host = (*host)(nil)

func (h *host) Table(name string) (connector.Table, error) {
	t, ok := h.run.flow.Gen.Config.Tables[name]
	if !ok {
		return nil, fmt.Errorf("there is no table %q", name)
	}
	return &table{decl: t, store: h.run.x.Store, host: h}, nil
}

// CallFlow runs a helper flow. Synchronous calls run inline, journaled under
// the calling card so that a crash resumes inside the helper; asynchronous
// calls enqueue a separate execution, deduplicated per card instance.
func (h *host) CallFlow(ctx context.Context, name string, input cty.Value, async bool) (cty.Value, error) {
	r := h.run
	f, ok := r.flow.Gen.Flows[name]
	if !ok {
		return cty.NilVal, connector.Errorf(connector.Invalid, "there is no flow %q", name)
	}
	if f.Trigger == nil || f.Trigger.Spec.Mode != connector.Called {
		return cty.NilVal, connector.Errorf(connector.Invalid, "flow %q is not a helper flow (its trigger is not flow.called)", name)
	}
	in, err := connector.ToGo(input)
	if err != nil {
		return cty.NilVal, connector.Errorf(connector.Invalid, "input: %v", err)
	}
	payload := marshal(map[string]any{"input": in, "caller": map[string]any{"flow": r.flow.Name, "execution_id": r.ex.ID}})
	if async && r.sec.scrub(string(payload)) != string(payload) {
		// The helper's event is stored: a secret in it (a password an
		// endpoint's caller sent, a sensitive variable) would be kept in
		// the history, and a placeholder in its place would run as if it
		// were the value.
		return cty.NilVal, connector.Errorf(connector.Invalid,
			"the input of an asynchronous call to %s holds a secret, which would be stored with its event: call it synchronously, or let it read the secret itself", name)
	}
	if async {
		_, err := r.x.Intake.Submit(ctx, []store.Event{{
			Flow: name, DedupKey: r.ex.ID + "/" + h.card + "/" + h.key, Type: "flow.called",
			Payload: payload, Parent: r.ex.ID, DefinitionHash: f.Hash, ReceivedAt: r.x.Clock.Now().UTC(),
		}})
		if err == nil {
			r.x.enqueued()
		}
		return cty.NullVal(cty.DynamicPseudoType), err
	}
	trigger, err := triggerValue(f, payload)
	if err != nil {
		return cty.NilVal, err
	}
	prefix := h.card + "/"
	if h.key != "" {
		prefix += h.key + "/"
	}
	res := r.cardsOf(ctx, f, trigger, prefix+name+".")
	switch res.Status {
	case store.Succeeded, store.Halted:
		return res.Output, nil
	case store.Waiting:
		return cty.NilVal, res.Err // the caller's execution parks
	}
	if res.Err == nil {
		res.Err = errors.New("failed")
	}
	return cty.NilVal, fmt.Errorf("helper flow %s: %w", name, res.Err)
}

// table is a flow table kept in the store, rows as JSON. Its writes are
// staged in the host and reach the store with the card's journal entry;
// its reads see them.
type table struct {
	decl  *config.Table
	store store.Tables
	host  *host
}

func (t *table) RowType() cty.Type { return t.decl.RowType() }

func (t *table) Get(ctx context.Context, key string) (cty.Value, bool, error) {
	b, err := t.row(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return cty.NullVal(t.RowType()), false, nil
	}
	if err != nil {
		return cty.NilVal, false, err
	}
	v, err := connector.FromJSON(b, t.RowType())
	return v, err == nil, err
}

// row reads a row as this attempt left it.
func (t *table) row(ctx context.Context, key string) ([]byte, error) {
	if w, ok := t.host.staged(t.decl.Name, key); ok {
		if w.Row == nil {
			return nil, store.ErrNotFound
		}
		return w.Row, nil
	}
	return t.store.TableGet(ctx, t.decl.Name, key)
}

func (t *table) Put(ctx context.Context, key string, row cty.Value) error {
	g, err := connector.ToGo(row)
	if err != nil {
		return err
	}
	t.host.stage(store.TableWrite{Table: t.decl.Name, Key: key, Row: marshal(g)})
	return nil
}

func (t *table) Delete(ctx context.Context, key string) (bool, error) {
	_, err := t.row(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	t.host.stage(store.TableWrite{Table: t.decl.Name, Key: key})
	return true, nil
}

// Scan reads the store's rows in key order, merged with the rows this
// attempt wrote.
func (t *table) Scan(ctx context.Context, fn func(string, cty.Value) bool) error {
	staged := map[string][]byte{} // key → row, nil when deleted
	for _, w := range t.host.snapshot() {
		if w.Table == t.decl.Name {
			staged[w.Key] = w.Row
		}
	}
	extra := make([]string, 0, len(staged)) // staged rows, in key order
	for k, row := range staged {
		if row != nil {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	var convErr error
	stop := false
	emit := func(key string, b []byte) bool {
		v, err := connector.FromJSON(b, t.RowType())
		if err != nil {
			convErr = err
			return false
		}
		return fn(key, v)
	}
	err := t.store.TableScan(ctx, t.decl.Name, func(key string, b []byte) bool {
		for len(extra) > 0 && extra[0] < key {
			if !emit(extra[0], staged[extra[0]]) {
				stop = true
				return false
			}
			extra = extra[1:]
		}
		if row, ok := staged[key]; ok {
			if len(extra) > 0 && extra[0] == key {
				extra = extra[1:]
			}
			if row == nil {
				return true // deleted by this attempt
			}
			b = row
		}
		if !emit(key, b) {
			stop = true
			return false
		}
		return true
	})
	for err == nil && !stop && len(extra) > 0 {
		if !emit(extra[0], staged[extra[0]]) {
			break
		}
		extra = extra[1:]
	}
	if err == nil {
		err = convErr
	}
	return err
}

func convertValue(v cty.Value, ty cty.Type) (cty.Value, error) {
	if v.Type().Equals(ty) {
		return v, nil
	}
	return convert.Convert(v, ty)
}
