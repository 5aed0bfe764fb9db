package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store"
)

// Watcher tells when an execution ends in this process
// (runtime.Endings): watch first, then read the store.
type Watcher interface {
	Watch(id string) (ended <-chan struct{}, stop func())
}

// ExecutionHeader names the execution in every answer of an endpoint flow
// that replies with its result, so that its caller can find it in the
// history whatever the flow answered.
const ExecutionHeader = "Cardflow-Execution-Id"

// How often a reply that waits for its execution reads the store besides
// the Watcher's signal. On a store that several processes share the
// execution may end on another replica (one that claimed it, or resumed it
// after a wait), which this process hears nothing of; on a store of its
// own the read only guards against a signal this process missed.
const (
	replyPollShared = 200 * time.Millisecond
	replyPollLocal  = time.Second
)

// reply answers an endpoint call with the result of its execution id, as
// rep says, once the execution ended; after rep.Timeout it answers 504
// and the execution goes on running.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, flow, id string, rep *connector.Reply) {
	w.Header().Set(ExecutionHeader, id)
	ctx, cancel := context.WithTimeout(r.Context(), rep.Timeout)
	defer cancel()
	ex, err := s.await(ctx, id)
	switch {
	case err == nil:
	case r.Context().Err() != nil:
		return // the caller left; the execution goes on
	case errors.Is(err, context.DeadlineExceeded):
		writeJSON(w, http.StatusGatewayTimeout, map[string]string{
			"error":     "the flow did not end within " + rep.Timeout.String() + "; it goes on running",
			"execution": id,
		})
		return
	default:
		s.log().Error("reading the outcome of an endpoint call failed", "flow", flow, "execution", id, "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{
			"error":     "the outcome could not be read; the execution goes on",
			"execution": id,
		})
		return
	}
	var result []byte
	switch ex.Status {
	case store.Succeeded, store.Halted:
		result = ex.Output
	case store.Filtered:
	case store.Canceled:
		// Who canceled it and why stays in the history, as a failure's
		// error does.
		s.log().Info("endpoint call answered 409: an operator canceled its execution", "flow", flow, "execution", id)
		writeJSON(w, http.StatusConflict, map[string]string{"error": "the execution was canceled", "execution": id})
		return
	default:
		// The error stays in the history: it may name hosts, paths or
		// values the caller must not learn.
		s.log().Warn("endpoint call answered 500: its execution failed", "flow", flow, "execution", id)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "the flow failed", "execution": id})
		return
	}
	resp, err := rep.Render(result)
	if err != nil {
		s.log().Error("endpoint call answered 500: the flow's result is not a reply", "flow", flow, "execution", id, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "the flow's result is not a valid reply", "execution": id})
		return
	}
	writeResponse(w, resp.Header, resp.Status, resp.Body)
}

// await returns execution id once it is final, or ctx's error.
func (s *Server) await(ctx context.Context, id string) (*store.Execution, error) {
	st := s.Backend.Store()
	var ended <-chan struct{} // nil: never ready
	if s.Endings != nil {
		ch, stop := s.Endings.Watch(id)
		defer stop()
		ended = ch
	}
	every := replyPollLocal
	if _, shared := st.(store.Notifier); shared {
		every = replyPollShared
	}
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		ex, err := st.Execution(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		if ex.Status.Final() {
			return ex, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ended:
			ended = nil // closed: read once more, then the timer only
		case <-t.C:
		}
		t.Reset(every)
	}
}
