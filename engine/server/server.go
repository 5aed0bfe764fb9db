package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
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
	// Health is the engine's health now: its status alone on the public
	// GET /healthz, all of it on the admin GET /api/v1/health.
	Health() Health
	Store() store.Store
}

// Health is the engine's health at one moment.
type Health struct {
	// Status is one word: "ok", "degraded" (the last reload was
	// rejected; the running flows still serve) or "unavailable" (the
	// store cannot keep events). It is all the public surface tells:
	// anyone who can reach a hook can read it.
	Status string
	// Detail is the JSON of the admin GET /api/v1/health (it includes
	// Status): the generation, every flow's name and hash, the rejected
	// reload's diagnostics, the store's error. It is for admins only: it
	// names what Okta-facing routes refuse to confirm (which flows
	// exist), and the files and database the engine uses.
	Detail any
}

// intakeRefuser is implemented by backends that can say their intake
// refuses every event; /healthz and /api/v1/health then answer 503.
type intakeRefuser interface {
	IntakeRefused() bool
}

// Observer counts the requests the server refuses.
type Observer interface {
	Rejected(path string, status int)
}

// Server routes requests: events to the Intake, the rest to the backend.
type Server struct {
	Backend Backend
	// Intake takes the events of hooks and endpoint flows.
	Intake   *trigger.Intake
	Logger   *slog.Logger
	Observer Observer
	Metrics  http.Handler
	// RetryAfter is what a 503 asks senders to wait.
	RetryAfter time.Duration
	// Endings tells when executions end in this process, for endpoint
	// flows that answer with their result (connector.Reply); nil: those
	// answers learn it by reading the store at intervals only.
	Endings Watcher
}

// Handler returns the handler of the public surface: event hooks and
// endpoint flows, which authenticate their senders themselves (hook
// secrets, endpoint tokens), and /healthz, which tells anyone the health
// status and nothing else. History, metrics, profiles and the health
// detail are on the admin surface (Admin), never here.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/hooks/{connector}/{connection}", s.hook)
	mux.HandleFunc("POST /flows/{flow}/invoke", s.invoke)
	mux.HandleFunc("GET /healthz", s.health)
	return s.countUnrouted(mux)
}

// countUnrouted serves mux, counting what mux answers itself, a path no
// route matches (404) or a method its routes do not take (405), under the
// route "other", as the handlers count what they refuse.
func (s *Server) countUnrouted(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" || s.Observer == nil {
			mux.ServeHTTP(w, r)
			return
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		if sw.status >= 400 {
			s.Observer.Rejected(otherRoute, sw.status)
		}
	})
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

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
		// Answered as a wrong secret is (refuse), so that nobody learns
		// which connections receive hooks; the log says why.
		s.refuse(w, r, fmt.Sprintf("no %s connection %q receives hooks here", typ, name))
		return
	}
	client, err := s.Backend.Client(conn)
	if err != nil {
		s.log().Error("opening the connection failed", "connection", conn.Addr, "err", err)
		s.hookUnavailable(w, r, conn)
		return
	}
	reply, err := conn.Connector.Webhook.Receive(r.Context(), client, r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	if _, err := s.Intake.Hook(r.Context(), gen, conn.Addr, reply.Events); err != nil {
		s.failIntake(w, r, err)
		return
	}
	writeResponse(w, reply.Header, reply.Status, reply.Body)
}

// hookUnavailable answers a hook request whose connection's client cannot
// be opened: 503 to a sender that proves itself from the connection's
// settings (Webhook.Authenticate), the answer of a wrong secret to any
// other, so that nobody without the secret learns how the connection is
// set up, or that it is broken.
func (s *Server) hookUnavailable(w http.ResponseWriter, r *http.Request, conn *plan.Connection) {
	reason := "the connection is unavailable, and its connector cannot check a sender without it"
	if check := conn.Connector.Webhook.Authenticate; check != nil {
		err := check(conn.Config, r)
		if err == nil {
			s.fail(w, r, http.StatusServiceUnavailable, "connection unavailable")
			return
		}
		reason = err.Error()
	}
	s.refuse(w, r, reason)
}

// writeResponse answers with header, status (0 is 200) and body, as a
// connector made them (a hook's reply, an endpoint flow's result).
func writeResponse(w http.ResponseWriter, header http.Header, status int, body []byte) {
	for k, v := range header {
		w.Header()[k] = v
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if len(body) > 0 {
		_, _ = w.Write(body)
	}
}

func (s *Server) invoke(w http.ResponseWriter, r *http.Request) {
	gen := s.Backend.Generation()
	if gen == nil {
		s.fail(w, r, http.StatusServiceUnavailable, "no flows are loaded yet")
		return
	}
	name := r.PathValue("flow")
	f, ok := gen.Flows[name]
	if !ok || f.Trigger == nil || f.Trigger.Spec.Invoke == nil {
		// Answered as a wrong token is, so that nobody learns which flows
		// exist; the log says why.
		s.refuse(w, r, fmt.Sprintf("no endpoint flow %q here", name))
		return
	}
	cfg, _ := f.Trigger.Config.UnmarkDeep()
	if !f.Enabled {
		s.disabledEndpoint(w, r, f, cfg)
		return
	}
	events, err := f.Trigger.Spec.Invoke(cfg, r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	var reply *connector.Reply
	if f.Trigger.Spec.Reply != nil {
		reply = f.Trigger.Spec.Reply(cfg)
	}
	res, err := s.Intake.Invoke(r.Context(), f, events)
	if err != nil {
		s.failIntake(w, r, err)
		return
	}
	if reply != nil && len(res) > 0 {
		// A retry with the same Idempotency-Key finds the first call's
		// execution (Duplicate) and is answered with its outcome: the
		// flow runs once.
		s.reply(w, r, f.Name, res[0].ID, reply)
		return
	}
	ids := make([]string, len(res))
	for i, e := range res {
		ids[i] = e.ID
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"executions": ids})
}

// disabledEndpoint answers a request to a disabled endpoint flow: 404 to
// a caller that proves itself (Trigger.Authenticate), the answer of a
// wrong token to any other.
func (s *Server) disabledEndpoint(w http.ResponseWriter, r *http.Request, f *plan.Flow, cfg cty.Value) {
	reason := fmt.Sprintf("the flow %q is disabled", f.Name)
	if check := f.Trigger.Spec.Authenticate; check != nil {
		err := check(cfg, r)
		if err == nil {
			s.fail(w, r, http.StatusNotFound, "the flow is disabled")
			return
		}
		reason += "; " + err.Error()
	}
	s.refuse(w, r, reason)
}

// failIntake answers an error of the intake: backpressure and a store that
// cannot keep events are 503 with Retry-After, an event that fails its
// trigger's check is the check's answer (400), a failed write 503.
func (s *Server) failIntake(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, trigger.ErrStoreUnavailable):
		// The engine logged why once; the public ingress is not told (it
		// would learn the store's path).
		w.Header().Set("Retry-After", "30")
		s.fail(w, r, http.StatusServiceUnavailable, "events cannot be stored now; retry later")
	case errors.Is(err, trigger.ErrBusy):
		retry := s.RetryAfter
		if retry <= 0 {
			retry = 5 * time.Second
		}
		// Retry-After counts whole seconds; round up so that a sender
		// never comes back early.
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
		s.fail(w, r, http.StatusServiceUnavailable, "the inbox is full; retry later")
	case errors.Is(err, trigger.ErrNotStored):
		s.log().Error("storing events failed", "err", err)
		s.fail(w, r, http.StatusServiceUnavailable, "events could not be stored; retry")
	default:
		s.failErr(w, r, err)
	}
}

func (s *Server) failErr(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusBadRequest
	var ce *connector.Error
	if errors.As(err, &ce) && ce.Status != 0 {
		status = ce.Status
	} else if connector.KindOf(err) == connector.Permission {
		status = http.StatusUnauthorized
	}
	if status == http.StatusUnauthorized {
		s.refuse(w, r, err.Error())
		return
	}
	s.fail(w, r, status, err.Error())
}

// refuse answers 401 with the answer of a wrong secret or token, whatever
// reason (logged, never told) it has.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, reason string) {
	s.log().Warn("request rejected", "path", r.URL.Path, "status", http.StatusUnauthorized, "reason", reason)
	s.answer(w, r, http.StatusUnauthorized, unauthorized)
}

// unauthorized is the whole answer to a sender that does not prove itself,
// whatever the reason: a wrong secret, none, or a hook nobody receives.
const unauthorized = "unauthorized"

// fail refuses a request that a route of the server's muxes matched.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.reject(w, r, routeOf(r.Pattern), status, msg)
}

// reject answers status with msg as JSON, logs it, and counts it under
// route (a routeOf label).
func (s *Server) reject(w http.ResponseWriter, r *http.Request, route string, status int, msg string) {
	s.log().Warn("request rejected", "path", r.URL.Path, "status", status, "reason", msg)
	s.answerRoute(w, route, status, msg)
}

// answer is fail without the log line: the caller logged a reason it does
// not tell the client.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.answerRoute(w, routeOf(r.Pattern), status, msg)
}

func (s *Server) answerRoute(w http.ResponseWriter, route string, status int, msg string) {
	if s.Observer != nil {
		s.Observer.Rejected(route, status)
	}
	writeJSON(w, status, map[string]string{"error": msg})
}

// otherRoute is the route label of requests that match no route.
const otherRoute = "other"

// routeOf is the route label of a refused request's metrics: the first
// segment of the http.ServeMux pattern it matched ("/hooks", "/api"), or
// otherRoute when it matched none. Never the request's path: a client
// chooses that, and each new label value would be a series kept forever.
func routeOf(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		pattern = path // "POST /flows/{flow}/invoke"
	}
	if !strings.HasPrefix(pattern, "/") || pattern == "/" {
		return otherRoute
	}
	first, _, _ := strings.Cut(pattern[1:], "/")
	return "/" + first
}

// health is the public GET /healthz: the status code a load balancer or
// probe needs (503 while intake refuses events) and the status word, no
// more. The detail would tell an unauthenticated caller which flows exist
// (hooks and endpoints answer alike whether they do or not), where the
// flow files are and what the store's errors say.
func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, s.healthCode(), map[string]string{"status": s.Backend.Health().Status})
}

// healthDetail is the admin GET /api/v1/health: /healthz's status code
// with the whole detail.
func (s *Server) healthDetail(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, s.healthCode(), s.Backend.Health().Detail)
}

// healthCode is 503 while the backend's intake refuses every event, so
// that a load balancer sends them elsewhere; 200 otherwise.
func (s *Server) healthCode() int {
	if ir, ok := s.Backend.(intakeRefuser); ok && ir.IntakeRefused() {
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
