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
func (e *Emulator) userOpLocked(c *callCtx, id, op string, sendEmail bool) (any, *apiError) {
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
