package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// transition is one user lifecycle operation: the statuses it starts from,
// the status it ends in, its event, and the error for any other status.
type transition struct {
	from  []string
	to    string
	event string
	deny  func(status string) *apiError
}

var transitions = map[string]transition{
	"activate": {from: []string{"STAGED", "DEPROVISIONED"}, to: "ACTIVE", event: "user.lifecycle.activate",
		deny: func(s string) *apiError {
			if s == "ACTIVE" {
				return errAlreadyActive
			}
			return forbiddenStatus()
		}},
	"reactivate": {from: []string{"PROVISIONED"}, to: "ACTIVE", event: "user.lifecycle.reactivate",
		deny: func(string) *apiError { return forbiddenStatus() }},
	"deactivate": {from: []string{"STAGED", "PROVISIONED", "ACTIVE", "RECOVERY", "LOCKED_OUT", "PASSWORD_EXPIRED", "SUSPENDED"},
		to: "DEPROVISIONED", event: "user.lifecycle.deactivate",
		deny: func(string) *apiError { return nil }},
	"suspend": {from: []string{"ACTIVE"}, to: "SUSPENDED", event: "user.lifecycle.suspend",
		deny: func(string) *apiError { return validation("status", "Cannot suspend a user that is not active") }},
	"unsuspend": {from: []string{"SUSPENDED"}, to: "ACTIVE", event: "user.lifecycle.unsuspend",
		deny: func(string) *apiError { return validation("status", "Cannot unsuspend a user that is not suspended") }},
}

// lifecycleLocked applies op to a user. Deactivating a deactivated user is
// a permitted no-op.
func (e *Emulator) lifecycleLocked(c *callCtx, id, op string) *apiError {
	t, ok := transitions[op]
	if !ok {
		return errNoResource
	}
	u, ae := e.userLocked(id)
	if ae != nil {
		return ae
	}
	if !slices.Contains(t.from, u.status) {
		return t.deny(u.status)
	}
	u.setStatus(t.to, e.stamp())
	e.emitLocked(c, t.event, u.target())
	return nil
}

func (e *Emulator) handleUserLifecycle(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	op := r.PathValue("op")
	if passwordOps[op] {
		e.mu.Lock()
		q := r.URL.Query()
		body, ae := e.userOpLocked(c, r.PathValue("id"), op, q.Get("sendEmail") != "false", q.Get("tempPassword") == "true")
		e.mu.Unlock()
		if ae != nil {
			e.writeError(w, ae)
			return
		}
		writeJSON(w, http.StatusOK, body)
		return
	}
	e.mu.Lock()
	ae := e.lifecycleLocked(c, r.PathValue("id"), op)
	var token string
	if ae == nil && op == "activate" {
		token = e.ids.random(20)
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	body := map[string]any{}
	if op == "activate" && r.URL.Query().Get("sendEmail") == "false" {
		body["activationToken"] = token
		body["activationUrl"] = c.base + "/welcome/" + token
	}
	writeJSON(w, http.StatusOK, body)
}

// handleDeleteUser deactivates a user on the first DELETE and deletes a
// deactivated one on the second, as Okta does.
func (e *Emulator) handleDeleteUser(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	ae := e.deleteUserLocked(c, r.PathValue("id"))
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) deleteUserLocked(c *callCtx, id string) *apiError {
	u, ae := e.userLocked(id)
	if ae != nil {
		return ae
	}
	if u.status != "DEPROVISIONED" {
		return e.lifecycleLocked(c, u.id, "deactivate")
	}
	for _, g := range e.groupOrder {
		delete(g.members, u.id)
	}
	for _, a := range e.appOrder {
		delete(a.users, u.id)
	}
	delete(e.users, u.id)
	delete(e.byLogin, strings.ToLower(u.login()))
	e.userOrder = removeRec(e.userOrder, u)
	e.emitLocked(c, "user.lifecycle.delete.initiated", u.target())
	return nil
}

func removeRec[T comparable](s []T, x T) []T {
	for i, v := range s {
		if v == x {
			return append(s[:i:i], s[i+1:]...)
		}
	}
	return s
}

// Lifecycle runs a user lifecycle operation (activate, deactivate,
// suspend, unsuspend, reactivate) as POST .../lifecycle/{op} does.
func (e *Emulator) Lifecycle(userIDOrLogin, op string) error {
	c := e.directCall("/api/v1/users/" + userIDOrLogin + "/lifecycle/" + op)
	e.mu.Lock()
	defer e.mu.Unlock()
	if ae := e.lifecycleLocked(c, userIDOrLogin, op); ae != nil {
		return ae
	}
	return nil
}
