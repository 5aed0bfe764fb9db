package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agext/levenshtein"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/store"
)

// ExecutionJSON is an execution as the history API and `cardflow show
// --format json` present it.
type ExecutionJSON struct {
	ID             string     `json:"id"`
	Flow           string     `json:"flow"`
	Status         string     `json:"status"`
	DedupKey       string     `json:"dedup_key"`
	DefinitionHash string     `json:"definition_hash"`
	ReceivedAt     *time.Time `json:"received_at,omitempty"`
	StartedAt      *time.Time `json:"started_at,omitempty"`
	EndedAt        *time.Time `json:"ended_at,omitempty"`
	// WakeAt is when a waiting (parked) execution is due.
	WakeAt  *time.Time      `json:"wake_at,omitempty"`
	Claims  int             `json:"claims"`
	Error   string          `json:"error,omitempty"`
	Output  json.RawMessage `json:"output,omitempty"`
	Trigger json.RawMessage `json:"trigger,omitempty"`
	Cards   []CardJSON      `json:"cards,omitempty"`
}

// CardJSON is one journal entry. Status is the entry's, except that a
// waiting entry a cancel cut short reads "canceled" (store.CanceledWaits).
type CardJSON struct {
	Card       string          `json:"card"`
	Key        string          `json:"key,omitempty"`
	Attempt    int             `json:"attempt"`
	Status     string          `json:"status"`
	Input      json.RawMessage `json:"input,omitempty"`
	Output     json.RawMessage `json:"output,omitempty"`
	Error      string          `json:"error,omitempty"`
	ErrorKind  string          `json:"error_kind,omitempty"`
	StartedAt  time.Time       `json:"started_at"`
	DurationMS float64         `json:"duration_ms"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ExecutionView builds the JSON view of an execution and its journal.
func ExecutionView(ex *store.Execution, journal []store.JournalEntry) ExecutionJSON {
	v := ExecutionJSON{
		ID: ex.ID, Flow: ex.Flow, Status: string(ex.Status), DedupKey: ex.DedupKey, DefinitionHash: ex.DefinitionHash,
		ReceivedAt: timePtr(ex.ReceivedAt), StartedAt: timePtr(ex.StartedAt), EndedAt: timePtr(ex.EndedAt),
		WakeAt: timePtr(ex.WakeAt), Claims: ex.Claims, Error: ex.Error,
	}
	if json.Valid(ex.Output) {
		v.Output = ex.Output
	}
	if json.Valid(ex.Payload) {
		v.Trigger = ex.Payload
	}
	cut := store.CanceledWaits(ex.Status, journal)
	for i, e := range journal {
		status := e.Status
		if cut[i] {
			status = store.EntryWaitCanceled
		}
		c := CardJSON{Card: e.Card, Key: e.Key, Attempt: e.Attempt, Status: string(status), Error: e.Error, ErrorKind: e.ErrorKind,
			StartedAt: e.StartedAt, DurationMS: float64(e.EndedAt.Sub(e.StartedAt).Microseconds()) / 1000}
		if json.Valid(e.Input) {
			c.Input = e.Input
		}
		if json.Valid(e.Output) {
			c.Output = e.Output
		}
		v.Cards = append(v.Cards, c)
	}
	return v
}

func (s *Server) listExecutions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.Filter{Flow: q.Get("flow"), Status: store.Status(q.Get("status")), Text: strings.TrimSpace(q.Get("text"))}
	if err := CheckStatus(string(f.Status)); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "limit is a positive number"})
			return
		}
		f.Limit = min(n, MaxLimit)
	}
	if since := q.Get("since"); since != "" {
		t, err := ParseSince("since", since, time.Now())
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		f.Since = t
	}
	exs, err := s.Backend.Store().Executions(r.Context(), f)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	out := make([]ExecutionJSON, 0, len(exs))
	for _, ex := range exs {
		out = append(out, ExecutionView(ex, nil))
	}
	writeJSON(w, http.StatusOK, map[string]any{"executions": out})
}

// ParseSince reads the since of the history API and of `cardflow history
// --since`, so that both take the same values: a duration back from now
// (90m, 24h, 7d) or an RFC 3339 time. "" is no bound (the zero time). name
// is how the error names the parameter ("since", "--since").
func ParseSince(name, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := plan.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("%s is a duration back from now (24h, 7d), not a negative one: %q", name, s)
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is a duration back from now (24h, 7d) or an RFC 3339 time (2026-01-31T09:00:00Z), not %q", name, s)
	}
	return t, nil
}

// MaxLimit caps how many executions one history request returns.
const MaxLimit = 1000

// CheckStatus refuses a status filter that names no execution status,
// suggesting the nearest one ("cancelled": did you mean "canceled"?). ""
// (no filter) passes. The history API, `cardflow history` and the console
// word it alike.
func CheckStatus(s string) error {
	if s == "" || slices.Contains(store.Statuses, store.Status(s)) {
		return nil
	}
	best, bestDist := "", 1<<30
	for _, c := range store.Statuses {
		if d := levenshtein.Distance(strings.ToLower(s), string(c), nil); d < bestDist {
			best, bestDist = string(c), d
		}
	}
	if bestDist <= 3 && bestDist <= len(s)/3+1 {
		return fmt.Errorf("unknown status %q: did you mean %q? It is one of %s", s, best, StatusList())
	}
	return fmt.Errorf("unknown status %q: it is one of %s", s, StatusList())
}

// StatusList names every execution status, comma-separated: what a status
// filter takes.
func StatusList() string {
	names := make([]string, len(store.Statuses))
	for i, s := range store.Statuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

func (s *Server) getExecution(w http.ResponseWriter, r *http.Request) {
	st := s.Backend.Store()
	ex, err := st.Execution(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such execution"})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	journal, err := st.Journal(r.Context(), ex.ID)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, ExecutionView(ex, journal))
}
