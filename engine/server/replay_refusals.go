package server

import (
	"net/http"
	"time"
)

// replayForbidden refuses a replay asked by a principal without the
// operate role, and audits the refusal: the audit log lists every replay,
// accepted or refused, with who asked.
func (a *Admin) replayForbidden(w http.ResponseWriter, r *http.Request, msg string) {
	a.refuseReplay(w, r, replayRequest{FromCard: r.URL.Query().Get("from_card")}, http.StatusForbidden, msg)
}

// refuseReplay audits a replay refused before it reached the store, then
// answers status with msg.
func (a *Admin) refuseReplay(w http.ResponseWriter, r *http.Request, req replayRequest, status int, msg string) {
	ev := AuditEvent{Time: time.Now().UTC(), Action: "replay", Target: r.PathValue("id"), Detail: req.detail(req.FromCard),
		Outcome: msg, Remote: r.RemoteAddr}
	if p := PrincipalFrom(r.Context()); p != nil {
		ev.Principal, ev.Method, ev.Role = p.Name, p.Method, p.Role.String()
	}
	a.auditor.Audit(r.Context(), ev)
	a.s.fail(w, r, status, msg)
}
