package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
)

// operations records what the admin surface tells the backend (it is
// the fakeBackend's server.Operations).
type operations struct {
	mu       sync.Mutex
	woken    int
	canceled []string
}

func (b *fakeBackend) ExecutionWoken() {
	b.ops.mu.Lock()
	defer b.ops.mu.Unlock()
	b.ops.woken++
}

func (b *fakeBackend) ExecutionCanceled(flow string) {
	b.ops.mu.Lock()
	defer b.ops.mu.Unlock()
	b.ops.canceled = append(b.ops.canceled, flow)
}

var _ server.Operations = (*fakeBackend)(nil)

// post sends a POST with a JSON body to the admin surface as token.
func (f *tokenFixture) post(t *testing.T, path, token, body string) response {
	t.Helper()
	return send(t, f.admin, "POST", path, []byte(body), map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"})
}

// parked enqueues an execution of flow greet, claims it and parks it for
// an hour; it returns its id and wake time.
func parked(t *testing.T, st store.Store, dedup string) (string, time.Time) {
	t.Helper()
	res, err := st.Enqueue(t.Context(), []store.Event{{Flow: "greet", DedupKey: dedup, ReceivedAt: time.Now()}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].ID
	if got, err := st.Claim(t.Context(), "w1", 1, time.Minute, store.ClaimOptions{}); err != nil || len(got) != 1 || got[0].ID != id {
		t.Fatalf("Claim = %v, %v; want %s", got, err, id)
	}
	wake := time.Now().Add(time.Hour)
	entry := store.JournalEntry{ExecutionID: id, Card: "pause", Attempt: 1, Status: store.EntryWaiting,
		Output: []byte(`{"until":"` + wake.UTC().Format(time.RFC3339Nano) + `","reason":"wait"}`), StartedAt: time.Now(), EndedAt: time.Now()}
	if err := st.Park(t.Context(), id, wake, entry); err != nil {
		t.Fatal(err)
	}
	return id, wake
}

func enqueued(t *testing.T, st store.Store, dedup string) string {
	t.Helper()
	res, err := st.Enqueue(t.Context(), []store.Event{{Flow: "greet", DedupKey: dedup, ReceivedAt: time.Now()}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res[0].ID
}

// lastAudit is the last audit event of action.
func (f *tokenFixture) lastAudit(t *testing.T, action string) server.AuditEvent {
	t.Helper()
	evs := f.audit.all()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Action == action {
			return evs[i]
		}
	}
	t.Fatalf("no %s in the audit log: %+v", action, evs)
	return server.AuditEvent{}
}

// TestAdminCancel cancels a waiting execution through the API: it answers
// the canceled execution, which no claim takes again, and audits who did
// it and why.
func TestAdminCancel(t *testing.T) {
	f := newTokenFixture(t)
	st := f.backend.st
	id, _ := parked(t, st, "k1")
	r := f.post(t, "/api/v1/executions/"+id+"/cancel", f.operator, `{"reason": "user left before approval"}`)
	if r.Status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	var view server.ExecutionJSON
	if err := json.Unmarshal([]byte(r.Body), &view); err != nil {
		t.Fatal(err)
	}
	if view.ID != id || view.Status != "canceled" || view.Error != "canceled by alice: user left before approval" || view.EndedAt == nil || view.WakeAt != nil {
		t.Errorf("cancel answered %+v, want the canceled execution", view)
	}
	if len(view.Cards) != 1 || view.Cards[0].Card != "pause" {
		t.Errorf("cancel answered cards %+v, want its journal", view.Cards)
	}
	// The cancel cut the wait short: the card is not shown as still
	// waiting, in the answer and in the execution's view alike.
	if len(view.Cards) == 1 && view.Cards[0].Status != "canceled" {
		t.Errorf("cancel answered the pause card as %q, want canceled", view.Cards[0].Status)
	}
	r = f.do(t, "GET", "/api/v1/executions/"+id, f.reader)
	var got server.ExecutionJSON
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil || r.Status != http.StatusOK || len(got.Cards) != 1 || got.Cards[0].Status != "canceled" {
		t.Errorf("GET the canceled execution: %d %s, want its pause card canceled", r.Status, r.Body)
	}
	ev := f.lastAudit(t, "cancel")
	if ev.Principal != "alice" || ev.Role != "operate" || ev.Method != "token" || ev.Target != id || ev.Detail != "user left before approval" || ev.Outcome != "ok" {
		t.Errorf("audit of the cancel: %+v", ev)
	}
	if got := f.backend.ops.canceled; len(got) != 1 || got[0] != "greet" {
		t.Errorf("the backend counted cancels of %v, want [greet]", got)
	}
	if got, err := st.Claim(t.Context(), "w2", 10, time.Minute, store.ClaimOptions{}); err != nil || len(got) != 0 {
		t.Errorf("Claim after the cancel = %v, %v; want none", got, err)
	}
	// Listed by the history API's status filter.
	r = f.do(t, "GET", "/api/v1/executions?status=canceled", f.reader)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, id) {
		t.Errorf("GET ?status=canceled: %d %s, want %s", r.Status, r.Body, id)
	}
}

// TestAdminCancelRefused: a running, a finished and an unknown execution
// are refused with a status and a message that say why, each audited.
func TestAdminCancelRefused(t *testing.T) {
	f := newTokenFixture(t)
	st := f.backend.st
	running := enqueued(t, st, "running")
	if _, err := st.Claim(t.Context(), "w1", 1, time.Minute, store.ClaimOptions{}); err != nil {
		t.Fatal(err)
	}
	done := enqueued(t, st, "done")
	if err := st.Cancel(t.Context(), done, "canceled by bob"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, token, path, body string
		status                  int
		msg                     string
	}{
		{"running", f.operator, "/api/v1/executions/" + running + "/cancel", "", http.StatusConflict, "is running: a worker is running it; it can be canceled once it waits or ends"},
		{"finished", f.operator, "/api/v1/executions/" + done + "/cancel", `{"reason":"again"}`, http.StatusConflict, "already finished (canceled)"},
		{"unknown", f.operator, "/api/v1/executions/ex_nope/cancel", "", http.StatusNotFound, "no such execution"},
		{"the read role", f.reader, "/api/v1/executions/" + running + "/cancel?reason=hello", "", http.StatusForbidden, "operate role"},
		{"a body that does not decode", f.operator, "/api/v1/executions/" + running + "/cancel", `{"reason": 1}`, http.StatusBadRequest, "the body is empty or"},
		{"an unknown field", f.operator, "/api/v1/executions/" + running + "/cancel", `{"reson": "x"}`, http.StatusBadRequest, `unknown field \"reson\" in the body`},
		{"a line break in the reason", f.operator, "/api/v1/executions/" + running + "/cancel", `{"reason": "a\nb"}`, http.StatusBadRequest, "control character"},
		{"a reason too long", f.operator, "/api/v1/executions/" + running + "/cancel", `{"reason": "` + strings.Repeat("x", 1001) + `"}`, http.StatusBadRequest, "the reason is 1001 characters; keep it to 1000 at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.post(t, tt.path, tt.token, tt.body)
			if r.Status != tt.status || !strings.Contains(r.Body, tt.msg) {
				t.Fatalf("cancel: %d %s, want %d with %q", r.Status, r.Body, tt.status, tt.msg)
			}
			ev := f.lastAudit(t, "cancel")
			if ev.Outcome == "ok" || !strings.Contains(ev.Outcome, strings.ReplaceAll(tt.msg, `\"`, `"`)) || ev.Principal == "" {
				t.Errorf("audit of the refused cancel: %+v", ev)
			}
		})
	}
	if e, _ := st.Execution(t.Context(), running); e.Status != store.Running {
		t.Errorf("after the refusals the running execution is %s", e.Status)
	}
	if e, _ := st.Execution(t.Context(), done); e.Error != "canceled by bob" {
		t.Errorf("a refused cancel changed the reason to %q", e.Error)
	}
}

// TestAdminWake wakes a waiting execution: it is due now, the workers are
// told, and the audit says who woke it and when it was due.
func TestAdminWake(t *testing.T) {
	f := newTokenFixture(t)
	st := f.backend.st
	id, wake := parked(t, st, "k1")
	pending := enqueued(t, st, "pending")
	before := time.Now()
	r := f.post(t, "/api/v1/executions/"+id+"/wake", f.operator, "")
	if r.Status != http.StatusOK {
		t.Fatalf("wake: %d %s", r.Status, r.Body)
	}
	var view server.ExecutionJSON
	if err := json.Unmarshal([]byte(r.Body), &view); err != nil {
		t.Fatal(err)
	}
	if view.Status != "waiting" || view.WakeAt == nil || view.WakeAt.Before(before.Add(-time.Second)) || view.WakeAt.After(time.Now()) {
		t.Errorf("wake answered %+v, want it waiting and due now", view)
	}
	if f.backend.ops.woken != 1 {
		t.Errorf("the workers were told %d times, want once", f.backend.ops.woken)
	}
	ev := f.lastAudit(t, "wake")
	if ev.Principal != "alice" || ev.Target != id || ev.Outcome != "ok" || ev.Detail != "was due "+wake.UTC().Format(time.RFC3339) {
		t.Errorf("audit of the wake: %+v", ev)
	}
	got, err := st.Claim(t.Context(), "w2", 10, time.Minute, store.ClaimOptions{})
	if err != nil || len(got) != 2 {
		t.Errorf("Claim after the wake = %v, %v; want the pending and the woken execution", got, err)
	}
	for _, tt := range []struct {
		path, token string
		status      int
		msg         string
	}{
		{"/api/v1/executions/" + pending + "/wake", f.operator, http.StatusConflict, "is running: only a waiting execution can be woken"},
		{"/api/v1/executions/ex_nope/wake", f.operator, http.StatusNotFound, "no such execution"},
		{"/api/v1/executions/" + id + "/wake", f.reader, http.StatusForbidden, "operate role"},
	} {
		r := f.post(t, tt.path, tt.token, "")
		if r.Status != tt.status || !strings.Contains(r.Body, tt.msg) {
			t.Errorf("POST %s: %d %s, want %d with %q", tt.path, r.Status, r.Body, tt.status, tt.msg)
		}
		if ev := f.lastAudit(t, "wake"); !strings.Contains(ev.Outcome, tt.msg) {
			t.Errorf("audit of the refused wake: %+v", ev)
		}
	}
	if f.backend.ops.woken != 1 {
		t.Errorf("refused wakes told the workers: %d, want 1", f.backend.ops.woken)
	}
}
