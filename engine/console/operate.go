package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cardflow/cardflow/engine/store"
)

// operation is what an operator's form asks of one execution: its name in
// the audit log, the words of its refusals, the message its page shows
// once done, and the refusal of a form whose confirmation box is not
// ticked ("" when it needs none).
type operation struct {
	action, verb, done, confirm string
}

var (
	replayOp = operation{action: "replay", verb: "Replaying", done: "replay", confirm: "Confirm the replay by ticking the box."}
	cancelOp = operation{action: "cancel", verb: "Canceling", done: "canceled",
		confirm: "Confirm that you want to cancel it by ticking the box."}
	wakeOp = operation{action: "wake", verb: "Waking", done: "woken"}
)

// operate checks an operator's form (role, form token, confirmation when
// op asks for one), audits the refusals, and else runs do and audits its
// outcome: replay, cancel and wake share it. detail is the audit's detail.
func (c *Console) operate(w http.ResponseWriter, r *request, op operation, detail string, do func() error) {
	id := r.PathValue("id")
	entry := AuditEntry{At: c.opts.Now().UTC(), Who: r.who.Name, Role: string(r.who.Role), Action: op.action, Target: id,
		Detail: detail, Outcome: "ok", Remote: r.RemoteAddr}
	refuse := func(status int, msg string) {
		entry.Outcome = "refused: " + msg
		c.audit(r, entry)
		c.renderError(w, r, status, msg)
	}
	if r.who.Role != RoleOperate {
		refuse(http.StatusForbidden, op.verb+" needs the operate role; "+r.who.Name+" has "+string(r.who.Role)+".")
		return
	}
	if !checkForm(r) {
		refuse(http.StatusForbidden, "The form has expired or came from another site; open the execution again.")
		return
	}
	if op.confirm != "" && r.PostFormValue("confirm") != "yes" {
		refuse(http.StatusBadRequest, op.confirm)
		return
	}
	err := do()
	var bad badInput
	if errors.As(err, &bad) {
		refuse(http.StatusBadRequest, bad.Error())
		return
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) && !refused(err) {
		// The store failed: its words go to the log, not to the page.
		c.opts.Logger.Error("an operator's "+op.action+" failed", "err", err, "who", entry.Who, "target", id)
		msg := "The " + op.action + " could not be stored; retry."
		entry.Outcome = "failed: " + msg
		c.audit(r, entry)
		c.renderError(w, r, http.StatusServiceUnavailable, msg)
		return
	}
	if err != nil {
		entry.Outcome = "refused: " + err.Error()
	}
	c.audit(r, entry)
	if errors.Is(err, store.ErrNotFound) {
		c.notFound(w, r, "There is no execution "+strconv.Quote(id)+".")
		return
	}
	if err != nil {
		c.renderError(w, r, http.StatusConflict, err.Error())
		return
	}
	http.Redirect(w, r.Request, c.opts.Prefix+"/executions/"+url.PathEscape(id)+"?msg="+op.done, http.StatusSeeOther)
}

// refusals are the store's answers that say why it did not act on an
// execution: a form shows them as they are (409).
var refusals = []error{store.ErrNotFailed, store.ErrNotFinished, store.ErrUnknownCard, store.ErrRunning, store.ErrFinished,
	store.ErrNotWaiting}

// Refusal is what a Source answers when it will not act on an execution
// for a reason of its own, which the operator reads as it is (409): a
// replay against an org its connection no longer names, say.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

// refused reports whether err says why the execution was not acted on
// (a store's refusal or a Source's), rather than that acting failed.
func refused(err error) bool {
	var r *Refusal
	return errors.As(err, &r) || slices.ContainsFunc(refusals, func(e error) bool { return errors.Is(err, e) })
}

// badInput is a form value the operation refuses before it acts.
type badInput struct{ error }

// cancel ends a pending or waiting execution as canceled, with the reason
// the form gives.
func (c *Console) cancel(w http.ResponseWriter, r *request) {
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	c.operate(w, r, cancelOp, reason, func() error {
		if err := store.CheckCancelReason(reason); err != nil {
			return badInput{err}
		}
		return c.opts.Source.Cancel(r.Context(), r.PathValue("id"), r.who.Name, reason)
	})
}

// wake makes a waiting execution due now ("Retry now").
func (c *Console) wake(w http.ResponseWriter, r *request) {
	c.operate(w, r, wakeOp, "", func() error {
		return c.opts.Source.Wake(r.Context(), r.PathValue("id"))
	})
}
