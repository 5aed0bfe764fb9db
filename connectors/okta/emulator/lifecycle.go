package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// transition is one user lifecycle operation: the statuses it starts from,
// the status it ends in, its event, and the error for any other status.
// to "" is the activation status: ACTIVE for a user with a password,
// PROVISIONED for one who must first finish the welcome flow.
type transition struct {
	from  []string
	to    string
	event string
	deny  func(status string) *apiError
}

var transitions = map[string]transition{
	"activate": {from: []string{"STAGED", "DEPROVISIONED"}, event: "user.lifecycle.activate",
		deny: func(s string) *apiError {
			if s == "ACTIVE" {
				return errAlreadyActive
			}
			// PROVISIONED included: the activation is done and waits for
			// the user; reactivate sends a new activation email.
			return forbiddenStatus()
		}},
	// reactivate restarts the welcome flow of a PROVISIONED user (a new
	// activation link); the user stays PROVISIONED until they finish it.
	"reactivate": {from: []string{"PROVISIONED"}, to: "PROVISIONED", event: "user.lifecycle.reactivate",
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
	to := t.to
	if to == "" {
		to = u.activationStatus()
	}
	u.setStatus(to, e.stamp())
	e.emitLocked(c, t.event, u.target())
	return nil
}

// activates reports whether op answers with an activation link: the
// welcome flow's, which activate and reactivate (re)start.
func activates(op string) bool { return op == "activate" || op == "reactivate" }

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
	if ae == nil && activates(op) {
		token = e.ids.random(20)
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	body := map[string]any{}
	if activates(op) && r.URL.Query().Get("sendEmail") == "false" {
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

// handleWelcome serves POST /_emulator/users/{id}/welcome, which is not
// Okta's API: it plays the user who follows the activation link of the
// welcome email and sets a password, so that a PROVISIONED user becomes
// ACTIVE. It needs no API token, as the user's browser has none.
func (e *Emulator) handleWelcome(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	u, ae := e.completeActivationLocked(c, r.PathValue("id"))
	var out User
	if ae == nil {
		out = u.export(c.base)
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// completeActivationLocked finishes the welcome flow of a PROVISIONED
// user: a password is set and the user is ACTIVE. It writes the password
// event only; which lifecycle event, if any, Okta logs for this step is not
// documented, so none is invented.
func (e *Emulator) completeActivationLocked(c *callCtx, id string) (*userRec, *apiError) {
	u, ae := e.userLocked(id)
	if ae != nil {
		return nil, ae
	}
	if u.status != "PROVISIONED" {
		return nil, forbiddenStatus()
	}
	now := e.stamp()
	u.passwordChanged = &now
	u.setStatus("ACTIVE", now)
	e.emitLocked(c, "user.account.update_password", u.target())
	return u, nil
}

// CompleteActivation plays the user of a PROVISIONED account who follows
// the activation link and sets a password: the user becomes ACTIVE (as
// POST /_emulator/users/{id}/welcome does). Other statuses are refused
// with E0000038.
func (e *Emulator) CompleteActivation(userIDOrLogin string) error {
	c := e.directCall("/_emulator/users/" + userIDOrLogin + "/welcome")
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ae := e.completeActivationLocked(c, userIDOrLogin); ae != nil {
		return ae
	}
	return nil
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
