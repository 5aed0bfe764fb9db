package server

import (
	"errors"
	"net/http"
	"net/http/pprof"
)

// AdminOptions configure the admin surface.
type AdminOptions struct {
	// Auth proves who sends each request; required. LoopbackTrust only
	// for a listener on loopback.
	Auth Authenticator
	// Auditor records admin actions; nil keeps the recent ones in an
	// AuditRing and logs each with the server's logger.
	Auditor Auditor
	// Pprof serves net/http/pprof under /debug/pprof/ (role operate).
	Pprof bool
}

// Admin is the admin surface: the history API, replays, cancels and
// wakes, the health
// detail, /metrics, profiles and whatever else is mounted on it (the console). It serves
// nothing to a request its Authenticator does not prove, and each route
// names the role it needs.
type Admin struct {
	s       *Server
	auth    Authenticator
	auditor Auditor
	mux     *http.ServeMux
	routed  http.Handler // mux, counting what no route matches
	csrf    *http.CrossOriginProtection
}

// Admin returns the admin surface of s: serve it on its own listener,
// never beside the public handler.
func (s *Server) Admin(opts AdminOptions) *Admin {
	a := &Admin{s: s, auth: opts.Auth, auditor: opts.Auditor, mux: http.NewServeMux(), csrf: http.NewCrossOriginProtection()}
	a.routed = s.countUnrouted(a.mux)
	if a.auditor == nil {
		a.auditor = &AuditRing{Next: LogAuditor{Logger: s.log()}}
	}
	a.Handle("GET /api/v1/health", RoleRead, http.HandlerFunc(s.healthDetail))
	a.Handle("GET /api/v1/executions", RoleRead, http.HandlerFunc(s.listExecutions))
	a.Handle("GET /api/v1/executions/{id}", RoleRead, http.HandlerFunc(s.getExecution))
	a.handle("POST /api/v1/executions/{id}/replay", RoleOperate, http.HandlerFunc(a.replay), a.replayForbidden)
	a.handle("POST /api/v1/executions/{id}/cancel", RoleOperate, http.HandlerFunc(a.cancel), a.forbidden("cancel"))
	a.handle("POST /api/v1/executions/{id}/wake", RoleOperate, http.HandlerFunc(a.wake), a.forbidden("wake"))
	if s.Metrics != nil {
		a.Handle("GET /metrics", RoleRead, s.Metrics)
	}
	if opts.Pprof {
		// Never http.DefaultServeMux (where the pprof package registers
		// itself): the profiles exist only when asked for, behind auth.
		a.Handle("/debug/pprof/", RoleOperate, http.HandlerFunc(pprof.Index))
		a.Handle("/debug/pprof/cmdline", RoleOperate, http.HandlerFunc(pprof.Cmdline))
		a.Handle("/debug/pprof/profile", RoleOperate, http.HandlerFunc(pprof.Profile))
		a.Handle("/debug/pprof/symbol", RoleOperate, http.HandlerFunc(pprof.Symbol))
		a.Handle("/debug/pprof/trace", RoleOperate, http.HandlerFunc(pprof.Trace))
	}
	return a
}

// Handle mounts h on the admin surface for principals with role need (or
// a stronger one); the pattern is http.ServeMux's. h finds the principal
// with PrincipalFrom(r.Context()).
func (a *Admin) Handle(pattern string, need Role, h http.Handler) {
	a.handle(pattern, need, h, nil)
}

// handle is Handle; forbidden, when set, answers a principal without the
// role instead of the plain 403 (a replay audits the refusal).
func (a *Admin) handle(pattern string, need Role, h http.Handler, forbidden func(w http.ResponseWriter, r *http.Request, msg string)) {
	a.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := PrincipalFrom(r.Context())
		if p == nil || !p.Role.Allows(need) {
			msg := "this needs the " + need.String() + " role"
			if forbidden != nil {
				forbidden(w, r, msg)
				return
			}
			a.s.fail(w, r, http.StatusForbidden, msg)
			return
		}
		h.ServeHTTP(w, r)
	}))
}

// Auditor is where admin handlers record what principals did. By default
// it is an *AuditRing, whose Recent lists the latest actions.
func (a *Admin) Auditor() Auditor { return a.auditor }

// ServeHTTP refuses cross-site browser requests that change state (CSRF:
// a page posting a replay to 127.0.0.1), authenticates the request, then
// routes it. An unauthenticated request learns nothing, not even which
// paths exist.
func (a *Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := a.csrf.Check(r); err != nil {
		a.fail(w, r, http.StatusForbidden, "cross-origin requests that change state are refused")
		return
	}
	if a.auth == nil {
		a.fail(w, r, http.StatusForbidden, "the admin surface has no authenticator")
		return
	}
	p, err := a.auth.Authenticate(r)
	if errors.Is(err, ErrUnauthenticated) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="cardflow admin"`)
		a.fail(w, r, http.StatusUnauthorized, "unauthorized: send Authorization: Bearer <admin token>")
		return
	}
	if err != nil {
		a.s.log().Error("authenticating an admin request failed", "err", err)
		a.fail(w, r, http.StatusServiceUnavailable, "authentication is unavailable; retry")
		return
	}
	a.routed.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
}

// fail refuses a request before it is routed (unauthenticated, cross-site):
// it is counted under the route it would take, from the fixed set the
// admin surface serves, never under its path.
func (a *Admin) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	pattern := r.Pattern
	if pattern == "" {
		_, pattern = a.mux.Handler(r)
	}
	a.s.reject(w, r, routeOf(pattern), status, msg)
}
