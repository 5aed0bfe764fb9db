package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/trigger"
)

// Backend is what the server needs from the engine.
type Backend interface {
	// Generation is the active generation.
	Generation() *plan.Generation
	// Client provisions the client of a connection.
	Client(conn *plan.Connection) (connector.Client, error)
	// Enqueue durably stores events; ErrBusy when the inbox is over its limit.
	Enqueue(ctx context.Context, events []store.Event) ([]store.Enqueued, error)
	// Health is the JSON of GET /healthz.
	Health() any
	Store() store.Store
}

// ErrBusy means the inbox is full: the sender should retry later.
var ErrBusy = errors.New("inbox over its limit")

// ErrStoreUnavailable means the store cannot keep events now (its file
// was removed, the disk is full): intake refuses them with 503.
var ErrStoreUnavailable = errors.New("the store cannot keep events")

// intakeRefuser is implemented by backends that can say their intake
// refuses every event; /healthz then answers 503.
type intakeRefuser interface {
	IntakeRefused() bool
}

// Observer counts what the server receives.
type Observer interface {
	Received(flow string, n int)
	Rejected(path string, status int)
}

// Server routes requests to the backend.
type Server struct {
	Backend  Backend
	Logger   *slog.Logger
	Observer Observer
	Metrics  http.Handler
	// RetryAfter is what a 503 asks senders to wait.
	RetryAfter time.Duration

	// hooks caches, for the active generation, which flows each
	// connection's hook feeds.
	hooks atomic.Pointer[hookRoutes]
}

// Handler returns the handler of the public surface: event hooks, endpoint
// flows and /healthz, which authenticate their senders themselves (hook
// secrets, endpoint tokens). History, metrics and profiles are on the
// admin surface (Admin), never here.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/hooks/{connector}/{connection}", s.hook)
	mux.HandleFunc("POST /flows/{flow}/invoke", s.invoke)
	mux.HandleFunc("GET /healthz", s.health)
	return mux
}

func (s *Server) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func (s *Server) hook(w http.ResponseWriter, r *http.Request) {
	gen := s.Backend.Generation()
	if gen == nil {
		s.fail(w, r, http.StatusServiceUnavailable, "no flows are loaded yet")
		return
	}
	typ, name := r.PathValue("connector"), r.PathValue("connection")
	conn, ok := gen.Connections[typ+"."+name]
	if !ok || conn.Connector.Webhook == nil {
		s.fail(w, r, http.StatusNotFound, fmt.Sprintf("no %s connection %q receives hooks here", typ, name))
		return
	}
	client, err := s.Backend.Client(conn)
	if err != nil {
		s.log().Error("opening the connection failed", "connection", conn.Addr, "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "connection unavailable")
		return
	}
	rw := &trackingWriter{ResponseWriter: w}
	events, handled, err := conn.Connector.Webhook.Receive(r.Context(), client, rw, r)
	if rw.wrote || (handled && err == nil) {
		// The connector answered (a verification challenge), or began to.
		return
	}
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	subs := s.subscribers(gen, conn.Addr)
	batch := make([]store.Event, 0, len(events))
	now := time.Now().UTC()
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
			if checkedBy[i] != sub.spec {
				if err := checkEvent(ev, sub.spec, i, len(events)); err != nil {
					s.failErr(w, r, err)
					return
				}
				checkedBy[i] = sub.spec
			}
			if terms[i] == nil {
				terms[i] = trigger.Terms(ev.Payload)
			}
			batch = append(batch, store.Event{Flow: sub.flow, DedupKey: ev.ID, Type: ev.Type, Payload: ev.Payload,
				ReceivedAt: now, Terms: terms[i]})
		}
	}
	if _, ok := s.enqueue(w, r, batch); !ok {
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) invoke(w http.ResponseWriter, r *http.Request) {
	gen := s.Backend.Generation()
	if gen == nil {
		s.fail(w, r, http.StatusServiceUnavailable, "no flows are loaded yet")
		return
	}
	f, ok := gen.Flows[r.PathValue("flow")]
	if !ok || !f.Enabled || f.Trigger == nil || f.Trigger.Spec.Invoke == nil {
		s.fail(w, r, http.StatusNotFound, "no endpoint flow here")
		return
	}
	cfg, _ := f.Trigger.Config.UnmarkDeep()
	events, err := f.Trigger.Spec.Invoke(cfg, r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	batch := make([]store.Event, len(events))
	for i, ev := range events {
		if err := checkEvent(&ev, f.Trigger.Spec, i, len(events)); err != nil {
			s.failErr(w, r, err)
			return
		}
		batch[i] = store.Event{Flow: f.Name, DedupKey: ev.ID, Type: ev.Type, Payload: ev.Payload, ReceivedAt: time.Now().UTC(),
			Terms: trigger.Terms(ev.Payload)}
	}
	res, ok := s.enqueue(w, r, batch)
	if !ok {
		return
	}
	ids := make([]string, len(res))
	for i, e := range res {
		ids[i] = e.ID
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"executions": ids})
}

// enqueue stores batch; on failure it answers the error itself and
// reports false.
func (s *Server) enqueue(w http.ResponseWriter, r *http.Request, batch []store.Event) ([]store.Enqueued, bool) {
	if len(batch) == 0 {
		return nil, true
	}
	res, err := s.Backend.Enqueue(r.Context(), batch)
	if errors.Is(err, ErrStoreUnavailable) {
		// The engine logged why once; the public ingress is not told (it
		// would learn the store's path).
		w.Header().Set("Retry-After", "30")
		s.fail(w, r, http.StatusServiceUnavailable, "events cannot be stored now; retry later")
		return nil, false
	}
	if errors.Is(err, ErrBusy) {
		retry := s.RetryAfter
		if retry <= 0 {
			retry = 5 * time.Second
		}
		// Retry-After counts whole seconds; round up so that a sender
		// never comes back early.
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
		s.fail(w, r, http.StatusServiceUnavailable, "the inbox is full; retry later")
		return nil, false
	}
	if err != nil {
		s.log().Error("storing events failed", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "events could not be stored; retry")
		return nil, false
	}
	if s.Observer != nil {
		// Count what is new: a repeated delivery is acknowledged, not received.
		fresh := map[string]int{}
		for i, e := range res {
			if !e.Duplicate && i < len(batch) {
				fresh[batch[i].Flow]++
			}
		}
		for f, n := range fresh {
			s.Observer.Received(f, n)
		}
	}
	return res, true
}

// trackingWriter records whether a connector began the response itself.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and http.MaxBytesReader reach the
// underlying writer.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

func (s *Server) failErr(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusBadRequest
	var ce *connector.Error
	if errors.As(err, &ce) && ce.Status != 0 {
		status = ce.Status
	} else if connector.KindOf(err) == connector.Permission {
		status = http.StatusUnauthorized
	}
	msg := err.Error()
	if status == http.StatusUnauthorized {
		msg = "unauthorized"
	}
	s.fail(w, r, status, msg)
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if s.Observer != nil {
		s.Observer.Rejected(routeOf(r.URL.Path), status)
	}
	s.log().Warn("request rejected", "path", r.URL.Path, "status", status, "reason", msg)
	writeJSON(w, status, map[string]string{"error": msg})
}

func routeOf(path string) string {
	parts := strings.SplitN(strings.Trim(path, "/"), "/", 2)
	return "/" + parts[0]
}

func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	status := http.StatusOK
	if ir, ok := s.Backend.(intakeRefuser); ok && ir.IntakeRefused() {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, s.Backend.Health())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// hookRoutes are the subscribers of each connection's hook (by address)
// in one generation. A generation does not change, so they are worked out
// once for it rather than for every delivery.
type hookRoutes struct {
	gen  *plan.Generation
	subs map[string][]subscriber
}

// subscriber is an enabled flow whose push trigger listens on a
// connection's hook.
type subscriber struct {
	flow   string
	cfg    cty.Value // the trigger's config, unmarked
	accept func(cty.Value, *connector.Event) bool
	spec   *connector.Trigger
}

// subscribers returns the flows the hook of connection addr feeds in gen,
// in name order.
func (s *Server) subscribers(gen *plan.Generation, addr string) []subscriber {
	routes := s.hooks.Load()
	if routes == nil || routes.gen != gen {
		routes = newHookRoutes(gen)
		s.hooks.Store(routes)
	}
	return routes.subs[addr]
}

func newHookRoutes(gen *plan.Generation) *hookRoutes {
	routes := &hookRoutes{gen: gen, subs: map[string][]subscriber{}}
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
		routes.subs[t.Connection] = append(routes.subs[t.Connection], subscriber{flow: f.Name, cfg: cfg, accept: t.Spec.Accept, spec: t.Spec})
	}
	return routes
}
