package emulator

import (
	"net/http"
	"slices"
)

// User operations beyond the status lifecycle: password reset and expiry,
// unlock, factor reset and session clearing. Each writes the System Log
// event Okta writes for it.

// passwordOps are the lifecycle operations served here rather than by
// transitions: their answers differ from the plain {} of a status change.
var passwordOps = map[string]bool{"reset_password": true, "expire_password": true, "reset_factors": true, "unlock": true}

// userOpLocked runs a password or factor operation and returns the body of
// the answer.
func (e *Emulator) userOpLocked(c *callCtx, id, op string, sendEmail, tempPassword bool) (any, *apiError) {
	u, ae := e.userLocked(id)
	if ae != nil {
		return nil, ae
	}
	switch op {
	case "reset_password":
		if !slices.Contains([]string{"ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT"}, u.status) {
			return nil, forbiddenStatus()
		}
		u.setStatus("RECOVERY", e.stamp())
		e.emitLocked(c, "user.account.reset_password", u.target())
		if sendEmail {
			return map[string]any{}, nil
		}
		token := e.ids.random(20)
		return map[string]any{"summary": "Reset password without sending email",
			"resetPasswordUrl": c.base + "/reset_password/" + token}, nil
	case "expire_password":
		if !slices.Contains([]string{"ACTIVE", "PASSWORD_EXPIRED", "RECOVERY", "LOCKED_OUT"}, u.status) {
			return nil, forbiddenStatus()
		}
		u.setStatus("PASSWORD_EXPIRED", e.stamp())
		e.emitLocked(c, "user.account.expire_password", u.target())
		if tempPassword {
			return map[string]any{"tempPassword": e.ids.random(10)}, nil
		}
		return u.export(c.base), nil
	case "unlock":
		if u.status != "LOCKED_OUT" {
			return nil, forbiddenStatus()
		}
		u.setStatus("ACTIVE", e.stamp())
		e.emitLocked(c, "user.account.unlock_by_admin", u.target())
		return map[string]any{}, nil
	case "reset_factors":
		e.emitLocked(c, "user.mfa.factor.reset_all", u.target())
		return map[string]any{}, nil
	}
	return nil, errNoResource
}

// handleClearSessions serves DELETE /api/v1/users/{id}/sessions: 204.
func (e *Emulator) handleClearSessions(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	e.mu.Lock()
	u, ae := e.userLocked(r.PathValue("id"))
	if ae == nil {
		e.emitLocked(c, "user.session.clear", u.target())
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type changePasswordBody struct {
	OldPassword *struct {
		Value string `json:"value"`
	} `json:"oldPassword"`
	NewPassword *struct {
		Value string `json:"value"`
	} `json:"newPassword"`
}

// handleChangePassword serves POST /api/v1/users/{id}/credentials/
// change_password. Passwords are not stored (see doc.go): the old one is
// not checked, the new one must not be empty, and passwordChanged moves.
func (e *Emulator) handleChangePassword(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	var b changePasswordBody
	if ae := decodeBody(r, &b); ae != nil {
		e.writeError(w, ae)
		return
	}
	if b.NewPassword == nil || b.NewPassword.Value == "" {
		e.writeError(w, validation("newPassword", "The field cannot be left blank"))
		return
	}
	e.mu.Lock()
	u, ae := e.userLocked(r.PathValue("id"))
	var out map[string]any
	if ae == nil && u.status != "ACTIVE" && u.status != "PASSWORD_EXPIRED" && u.status != "RECOVERY" {
		ae = forbiddenStatus()
	}
	if ae == nil {
		now := e.stamp()
		u.passwordChanged, u.lastUpdated = &now, now
		if u.status != "ACTIVE" {
			u.setStatus("ACTIVE", now)
		}
		e.emitLocked(c, "user.account.update_password", u.target())
		out = u.export(c.base).Credentials
	}
	e.mu.Unlock()
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
