package trigger

import (
	"context"
	"errors"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
)

// Hook enqueues the events of one delivery to the hook of connection addr
// in gen: each event goes to every enabled flow whose push trigger listens
// on that hook and accepts it (its event types), checked against that
// trigger first (connector.CheckEvent). An event no flow takes is checked
// too, against the connector's hook triggers: every event of a delivery
// must be well formed, whoever listens. A delivery with an event that
// fails its check stores nothing and returns the check's
// *connector.Error, which names the event. Nothing to store is no error:
// the delivery is acknowledged.
//
// Where the intake may hand what it enqueues straight to a worker, an
// event's check also decodes its trigger value for the flow (the first of
// the flows sharing its trigger), and the worker starts on that value.
func (in *Intake) Hook(ctx context.Context, gen *plan.Generation, addr string, events []connector.Event) ([]store.Enqueued, error) {
	subs := in.subscribers(gen, addr)
	batch := make([]store.Event, 0, len(events))
	flows := make([]*plan.Flow, 0, len(events))
	var values []cty.Value // the trigger value of each event of batch, if decoded
	now := in.now()
	// The trigger each event was last checked against: flows on one hook
	// mostly share their trigger, and an event is checked once per trigger.
	var checkedBy []*connector.Trigger
	terms := make([][]string, len(events)) // made once per event, for the flows that take it
	for _, sub := range subs {
		for i := range events {
			ev := &events[i]
			if sub.accept != nil && !sub.accept(sub.cfg, ev) {
				continue
			}
			if checkedBy == nil {
				checkedBy = make([]*connector.Trigger, len(events))
			}
			v := cty.NilVal
			if checkedBy[i] != sub.spec {
				// The event's first check also reads its terms.
				first := checkedBy[i] == nil
				var t []string
				var err error
				if v, t, err = in.check(ev, sub.flow, i, len(events), first); err != nil {
					return nil, err
				}
				if first {
					terms[i] = t
				}
				checkedBy[i] = sub.spec
			}
			if v != cty.NilVal && values == nil {
				values = make([]cty.Value, len(batch), cap(batch))
			}
			if values != nil {
				values = append(values, v)
			}
			batch = append(batch, store.Event{Flow: sub.flow.Name, DedupKey: ev.ID, Type: ev.Type, Payload: ev.Payload,
				ReceivedAt: now, Terms: terms[i]})
			flows = append(flows, sub.flow)
		}
	}
	for i := range events {
		if checkedBy == nil || checkedBy[i] == nil {
			if err := checkUntaken(&events[i], in.hookSpecs(gen, addr), i, len(events)); err != nil {
				return nil, err
			}
		}
	}
	return in.push(ctx, batch, flows, values, nil)
}

// checkUntaken checks event i of a delivery of n that no flow takes
// against the connector's hook triggers specs: it must be an event one of
// them could take (the first one's error names what is wrong).
func checkUntaken(ev *connector.Event, specs []*connector.Trigger, i, n int) error {
	var first error
	for _, spec := range specs {
		_, err := connector.EventCheck{}.Check(ev, spec)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return whichEvent(first, i, n)
}

// Invoke enqueues the events of one request to the endpoint of flow f,
// each checked against f's trigger first: an event that fails its check
// stores nothing and returns the check's *connector.Error.
//
// The sensitive fields of f's trigger, and the flow's secrets an event
// echoes, are not stored (plan.Trigger.Redact): the execution's first run
// gets them from the intake, in its Claimed or held for the worker that
// claims it (Workers.Hold).
func (in *Intake) Invoke(ctx context.Context, f *plan.Flow, events []connector.Event) ([]store.Enqueued, error) {
	batch := make([]store.Event, len(events))
	flows := make([]*plan.Flow, len(events))
	var values []cty.Value
	var recs []*Received
	now := in.now()
	for i := range events {
		ev := &events[i]
		v, terms, err := in.check(ev, f, i, len(events), true)
		if err != nil {
			return nil, err
		}
		if v != cty.NilVal && values == nil {
			values = make([]cty.Value, len(events))
		}
		if values != nil {
			values[i] = v
		}
		payload := ev.Payload
		if stored, removed, changed := f.Trigger.Redact(payload); changed {
			if recs == nil {
				recs = make([]*Received, len(events))
			}
			recs[i] = &Received{Payload: payload, Secrets: removed}
			// The terms history finds it by are of what is stored.
			payload, terms = stored, Terms(stored)
		}
		batch[i] = store.Event{Flow: f.Name, DedupKey: ev.ID, Type: ev.Type, Payload: payload, ReceivedAt: now,
			Terms: terms}
		flows[i] = f
	}
	return in.push(ctx, batch, flows, values, recs)
}

// check checks event i of a delivery of n against the trigger of flow f
// before anything of the delivery is stored (connector.CheckEvent): a
// malformed event is refused with 400 naming the field, never acknowledged
// to fail its execution later; the error says which event of a batch it
// was. In the same pass over the payload it reads the event's terms when
// withTerms (as Terms reads them) and, when the intake may hand the
// execution straight to a worker, decodes the event's trigger value for f
// as the worker would (NilVal when it did not). A flow with a concurrency
// limit is not handed over as it is enqueued.
func (in *Intake) check(ev *connector.Event, f *plan.Flow, i, n int, withTerms bool) (cty.Value, []string, error) {
	o := connector.EventCheck{Decode: in.Workers != nil && f.Concurrency <= 0, Use: f.TriggerUse}
	var r *termReader
	if withTerms {
		r = newTermReader()
		o.Strings = &r.members
	}
	v, err := o.Check(ev, f.Trigger.Spec)
	if err != nil {
		return cty.NilVal, nil, whichEvent(err, i, n)
	}
	var terms []string
	if r != nil {
		terms = r.result()
	}
	return v, terms, nil
}

// whichEvent says in a check's error which event of a batch of n it was.
func whichEvent(err error, i, n int) error {
	var ce *connector.Error
	if err == nil || n == 1 || !errors.As(err, &ce) {
		return err
	}
	which := *ce
	which.Message = fmt.Sprintf("event %d of %d: %s", i+1, n, ce.Message)
	return &which
}

// hookRoutes are the subscribers of each connection's hook (by address)
// in one generation. A generation does not change, so they are worked out
// once for it rather than for every delivery.
type hookRoutes struct {
	gen  *plan.Generation
	subs map[string][]subscriber
	// specs are the push triggers of each hook's connector, which the
	// events no flow takes are checked against.
	specs map[string][]*connector.Trigger
}

// subscriber is an enabled flow whose push trigger listens on a
// connection's hook.
type subscriber struct {
	flow   *plan.Flow
	cfg    cty.Value // the trigger's config, unmarked
	accept func(cty.Value, *connector.Event) bool
	spec   *connector.Trigger
}

// subscribers returns the flows the hook of connection addr feeds in gen,
// in name order.
func (in *Intake) subscribers(gen *plan.Generation, addr string) []subscriber {
	return in.hookRoutes(gen).subs[addr]
}

// hookSpecs returns the push triggers of the connector of connection addr.
func (in *Intake) hookSpecs(gen *plan.Generation, addr string) []*connector.Trigger {
	return in.hookRoutes(gen).specs[addr]
}

func (in *Intake) hookRoutes(gen *plan.Generation) *hookRoutes {
	routes := in.routes.Load()
	if routes == nil || routes.gen != gen {
		routes = newHookRoutes(gen)
		in.routes.Store(routes)
	}
	return routes
}

func newHookRoutes(gen *plan.Generation) *hookRoutes {
	routes := &hookRoutes{gen: gen, subs: map[string][]subscriber{}, specs: map[string][]*connector.Trigger{}}
	for _, conn := range gen.Connections {
		if conn == nil || conn.Connector == nil || conn.Connector.Webhook == nil {
			continue
		}
		for _, t := range conn.Connector.Triggers {
			if t.Mode == connector.Push && t.Invoke == nil {
				routes.specs[conn.Addr] = append(routes.specs[conn.Addr], t)
			}
		}
	}
	for _, name := range gen.Config.FlowNames() {
		f, ok := gen.Flows[name]
		if !ok || !f.Enabled || f.Trigger == nil {
			continue
		}
		t := f.Trigger
		if t.Spec.Mode != connector.Push || t.Spec.Invoke != nil {
			continue
		}
		cfg, _ := t.Config.UnmarkDeep()
		routes.subs[t.Connection] = append(routes.subs[t.Connection], subscriber{flow: f, cfg: cfg, accept: t.Spec.Accept, spec: t.Spec})
	}
	return routes
}
