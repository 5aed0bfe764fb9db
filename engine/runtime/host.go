package runtime

import (
	"context"
	"errors"
	"fmt"

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
}

var _ connector.Host = (*host)(nil)

func (h *host) Table(name string) (connector.Table, error) {
	t, ok := h.run.flow.Gen.Config.Tables[name]
	if !ok {
		return nil, fmt.Errorf("there is no table %q", name)
	}
	return &table{decl: t, store: h.run.x.Store}, nil
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
	if async {
		_, err := r.x.Store.Enqueue(ctx, []store.Event{{
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
	}
	if res.Err == nil {
		res.Err = errors.New("failed")
	}
	return cty.NilVal, fmt.Errorf("helper flow %s: %w", name, res.Err)
}

// table is a flow table kept in the store, rows as JSON.
type table struct {
	decl  *config.Table
	store store.Store
}

func (t *table) RowType() cty.Type { return t.decl.RowType() }

func (t *table) Get(ctx context.Context, key string) (cty.Value, bool, error) {
	b, err := t.store.TableGet(ctx, t.decl.Name, key)
	if errors.Is(err, store.ErrNotFound) {
		return cty.NullVal(t.RowType()), false, nil
	}
	if err != nil {
		return cty.NilVal, false, err
	}
	v, err := connector.FromJSON(b, t.RowType())
	return v, err == nil, err
}

func (t *table) Put(ctx context.Context, key string, row cty.Value) error {
	g, err := connector.ToGo(row)
	if err != nil {
		return err
	}
	return t.store.TablePut(ctx, t.decl.Name, key, marshal(g))
}

func (t *table) Delete(ctx context.Context, key string) (bool, error) {
	return t.store.TableDelete(ctx, t.decl.Name, key)
}

func (t *table) Scan(ctx context.Context, fn func(string, cty.Value) bool) error {
	var convErr error
	err := t.store.TableScan(ctx, t.decl.Name, func(key string, b []byte) bool {
		v, err := connector.FromJSON(b, t.RowType())
		if err != nil {
			convErr = err
			return false
		}
		return fn(key, v)
	})
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
