package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// Operations is implemented by backends that act on what an operator did
// to an execution through the admin surface.
type Operations interface {
	// ExecutionWoken tells the workers that an execution is due now, so
	// that they claim it at once rather than at their next poll.
	ExecutionWoken()
	// ExecutionCanceled counts an execution of flow that was canceled.
	ExecutionCanceled(flow string)
}

// cancelRequest is the optional JSON body of a cancel.
type cancelRequest struct {
	Reason string `json:"reason"`
}

// readCancelRequest reads a cancel's optional JSON body, or its reason
// parameter.
func readCancelRequest(w http.ResponseWriter, r *http.Request) (cancelRequest, error) {
	req := cancelRequest{Reason: r.URL.Query().Get("reason")}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return req, errCancelBody
	}
	if len(body) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		var b cancelRequest
		if err := dec.Decode(&b); err != nil {
			if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
				return req, fmt.Errorf(`unknown field %s in the body: a cancel takes {"reason": "<why>"}`, field)
			}
			return req, errCancelBody
		}
		if b.Reason != "" {
			req.Reason = b.Reason
		}
	}
	req.Reason = strings.TrimSpace(req.Reason)
	return req, store.CheckCancelReason(req.Reason)
}

// errCancelBody is the answer to a cancel body that does not decode.
var errCancelBody = errors.New(`the body is empty or {"reason": "<why>"}`)

// cancel ends a pending or waiting execution as canceled, as `cardflow
// cancel` does, and records who asked and why.
func (a *Admin) cancel(w http.ResponseWriter, r *http.Request) {
	req, err := readCancelRequest(w, r)
	if err != nil {
		a.refuse(w, r, "cancel", req.Reason, http.StatusBadRequest, err.Error())
		return
	}
	ev := a.auditEvent(r, "cancel", req.Reason)
	st := a.s.Backend.Store()
	err = st.Cancel(r.Context(), ev.Target, store.CancelReason(ev.Principal, req.Reason))
	if !a.answered(w, r, ev, err, store.ErrRunning, store.ErrFinished) {
		return
	}
	view, ex := a.view(r.Context(), ev.Target)
	if ops, ok := a.s.Backend.(Operations); ok && ex != nil {
		ops.ExecutionCanceled(ex.Flow)
	}
	writeJSON(w, http.StatusOK, view)
}

// wake makes a waiting execution due now, as `cardflow wake` does, and
// records who asked.
func (a *Admin) wake(w http.ResponseWriter, r *http.Request) {
	ev := a.auditEvent(r, "wake", "")
	ex, err := store.Wake(r.Context(), a.s.Backend.Store(), ev.Target)
	if ex != nil && !ex.WakeAt.IsZero() {
		ev.Detail = "was due " + ex.WakeAt.UTC().Format(time.RFC3339)
	}
	if !a.answered(w, r, ev, err, store.ErrNotWaiting) {
		return
	}
	if ops, ok := a.s.Backend.(Operations); ok {
		ops.ExecutionWoken()
	}
	view, _ := a.view(r.Context(), ev.Target)
	writeJSON(w, http.StatusOK, view)
}

// answered audits ev, the action err is the outcome of, and reports
// whether it was done; when it was not, it answers: 404 for an unknown
// execution, 409 with the store's words for one of refusals, else 503
// (the store's error goes to the log, not to the caller).
func (a *Admin) answered(w http.ResponseWriter, r *http.Request, ev AuditEvent, err error, refusals ...error) bool {
	status, msg := http.StatusOK, "ok"
	switch {
	case err == nil:
	case errors.Is(err, store.ErrNotFound):
		status, msg = http.StatusNotFound, "no such execution"
	case slices.ContainsFunc(refusals, func(e error) bool { return errors.Is(err, e) }):
		status, msg = http.StatusConflict, err.Error()
	default:
		a.s.log().Error("an admin action failed", "action", ev.Action, "execution", ev.Target, "err", err)
		status, msg = http.StatusServiceUnavailable, "the "+ev.Action+" could not be stored; retry"
	}
	ev.Outcome = msg
	a.auditor.Audit(r.Context(), ev)
	if status != http.StatusOK {
		a.s.fail(w, r, status, msg)
		return false
	}
	return true
}

// view reads execution id back as the history API shows it; what cannot
// be read (it was pruned meanwhile) is left out, since the action stands.
func (a *Admin) view(ctx context.Context, id string) (any, *store.Execution) {
	st := a.s.Backend.Store()
	ex, err := st.Execution(ctx, id)
	if err != nil {
		return map[string]string{"id": id}, nil
	}
	journal, _ := st.Journal(ctx, id)
	return ExecutionView(ex, journal), ex
}

// auditEvent is the audit record of action on the request's execution by
// its principal.
func (a *Admin) auditEvent(r *http.Request, action, detail string) AuditEvent {
	ev := AuditEvent{Time: time.Now().UTC(), Action: action, Target: r.PathValue("id"), Detail: detail, Remote: r.RemoteAddr}
	if p := PrincipalFrom(r.Context()); p != nil {
		ev.Principal, ev.Method, ev.Role = p.Name, p.Method, p.Role.String()
	}
	return ev
}

// refuse audits an action refused before it reached the store, then
// answers status with msg.
func (a *Admin) refuse(w http.ResponseWriter, r *http.Request, action, detail string, status int, msg string) {
	ev := a.auditEvent(r, action, detail)
	ev.Outcome = msg
	a.auditor.Audit(r.Context(), ev)
	a.s.fail(w, r, status, msg)
}

// forbidden returns the answer to a principal without the role action
// needs: refused and audited, as a replay is.
func (a *Admin) forbidden(action string) func(w http.ResponseWriter, r *http.Request, msg string) {
	return func(w http.ResponseWriter, r *http.Request, msg string) {
		a.refuse(w, r, action, r.URL.Query().Get("reason"), http.StatusForbidden, msg)
	}
}
