package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/cardflow/cardflow/engine/store"
)

// replayRequest is the optional JSON body of a replay.
type replayRequest struct {
	FromCard string `json:"from_card"`
	// Force replays an execution that did not fail.
	Force bool `json:"force"`
}

// detail is how the audit describes the replay from card from.
func (q replayRequest) detail(from string) string {
	if q.Force {
		return from + " (forced)"
	}
	return from
}

// errReplayBody is the answer to a replay body that does not decode.
var errReplayBody = errors.New(`the body is empty or {"from_card": "<card>", "force": true}`)

// readReplayRequest reads a replay's optional JSON body.
func readReplayRequest(w http.ResponseWriter, r *http.Request) (replayRequest, error) {
	var req replayRequest
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err == nil && len(body) > 0 {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		return replayRequest{FromCard: r.URL.Query().Get("from_card")}, errReplayBody
	}
	if err := unknownReplayFields(body); err != nil {
		return replayRequest{FromCard: r.URL.Query().Get("from_card")}, err
	}
	return req, nil
}

// replay queues a failed execution to run again, as `cardflow replay`
// does, and records who asked.
func (a *Admin) replay(w http.ResponseWriter, r *http.Request) {
	req, err := readReplayRequest(w, r)
	if err != nil {
		a.refuseReplay(w, r, req, http.StatusBadRequest, err.Error())
		return
	}
	if fc := r.URL.Query().Get("from_card"); fc != "" {
		req.FromCard = fc
	}
	ev := a.auditEvent(r, "replay", req.detail(req.FromCard))
	reason, err := a.canReplay(r.Context(), ev.Target, req.Force)
	if err == nil && reason != "" {
		err = &cannotReplayError{reason: reason}
	}
	var res store.Replayed
	if err == nil {
		res, err = store.Replay(r.Context(), a.s.Backend.Store(), ev.Target, store.ReplayOptions{FromCard: req.FromCard, Force: req.Force})
	}
	var cannot *cannotReplayError
	status, msg := http.StatusAccepted, "ok"
	switch {
	case errors.As(err, &cannot):
		status, msg = http.StatusConflict, "the execution is not replayed: "+cannot.reason
	case errors.Is(err, store.ErrNotFound):
		status, msg = http.StatusNotFound, "no such execution"
	case errors.Is(err, store.ErrNotFailed):
		status, msg = http.StatusConflict, err.Error()+`; send {"force": true} to replay it anyway`
	case errors.Is(err, store.ErrNotFinished), errors.Is(err, store.ErrUnknownCard):
		status, msg = http.StatusConflict, err.Error()
	case err != nil:
		a.s.log().Error("replaying an execution failed", "execution", ev.Target, "err", err)
		status, msg = http.StatusServiceUnavailable, "the replay could not be stored; retry"
	default:
		// The card the replay starts from, as the journal decided it.
		ev.Detail = req.detail(res.FromCard)
	}
	ev.Outcome = msg
	a.auditor.Audit(r.Context(), ev)
	if status != http.StatusAccepted {
		a.s.fail(w, r, status, msg)
		return
	}
	writeJSON(w, status, map[string]any{
		"execution": res.Execution.ID, "from_card": res.FromCard, "definition_hash": res.Execution.DefinitionHash, "status": string(store.Pending),
	})
}

// ReplayChecker is implemented by backends that can tell whether an
// execution could run on its definition: a replay that could not is
// refused up front, with the reason, instead of queued to fail.
type ReplayChecker interface {
	// CanReplay returns why ex cannot run, or "" when it can.
	CanReplay(ctx context.Context, ex *store.Execution) (string, error)
}

type cannotReplayError struct{ reason string }

func (e *cannotReplayError) Error() string { return e.reason }

// canReplay asks the backend whether the execution id, which store.Replay
// would reopen, can run. What store.Replay refuses itself is left to it.
func (a *Admin) canReplay(ctx context.Context, id string, force bool) (string, error) {
	rc, ok := a.s.Backend.(ReplayChecker)
	if !ok {
		return "", nil
	}
	ex, err := a.s.Backend.Store().Execution(ctx, id)
	if err != nil || !ex.Status.Final() || (!ex.Status.ReplaysUnforced() && !force) {
		return "", nil
	}
	return rc.CanReplay(ctx, ex)
}
