package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/console"
	"github.com/cardflow/cardflow/engine/store"
)

// park claims the fixture's oldest pending execution and parks it for an
// hour; it returns its id.
func (f *fixture) park() string {
	f.t.Helper()
	got, err := f.st.Claim(context.Background(), "w", 1, time.Minute, store.ClaimOptions{})
	if err != nil || len(got) != 1 {
		f.t.Fatalf("Claim = %v, %v", got, err)
	}
	id := got[0].ID
	wake := time.Now().Add(time.Hour)
	if err := f.st.Park(context.Background(), id, wake, store.JournalEntry{ExecutionID: id, Card: "pause", Attempt: 1, Status: store.EntryWaiting,
		Output: []byte(`{"reason":"wait","until":"` + wake.UTC().Format(time.RFC3339Nano) + `"}`), StartedAt: time.Now(), EndedAt: time.Now()}); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// post submits form to an execution's action (cancel, wake or replay) on the
// console, with origin as its Origin header when set, and returns the
// response's status and body.
func post(t *testing.T, c *http.Client, f *fixture, id, action string, form url.Values, origin string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/ui/executions/"+id+"/"+action, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestCancel: only an operator's confirmed form from the page cancels a
// pending or waiting execution, with their name and reason; each refusal
// is audited, and a running or finished execution is refused with why.
func TestCancel(t *testing.T) {
	f := newFixture(t, 2)
	waiting := f.park()
	got, err := f.st.Claim(context.Background(), "w", 1, time.Minute, store.ClaimOptions{})
	if err != nil || len(got) != 1 {
		t.Fatalf("Claim = %v, %v", got, err)
	}
	running := got[0].ID
	reader := f.login(readToken)
	_, page, _ := get(t, reader, f.srv.URL+"/ui/executions/"+waiting)
	if strings.Contains(page, `data-testid="cancel-form"`) || strings.Contains(page, `data-testid="wake-form"`) {
		t.Error("a read session sees the cancel or wake form")
	}
	if code, _ := post(t, reader, f, waiting, "cancel", url.Values{"confirm": {"yes"}}, ""); code != http.StatusForbidden {
		t.Errorf("a read session's cancel = %d, want 403", code)
	}
	op := f.login(operateToken)
	tok := replayForm(t, op, f, waiting)
	_, page, _ = get(t, op, f.srv.URL+"/ui/executions/"+waiting)
	if !strings.Contains(page, `data-testid="cancel-form"`) || !strings.Contains(page, `data-testid="wake-form"`) {
		t.Fatal("an operate session sees no cancel or wake form on a waiting execution")
	}
	if !strings.Contains(page, "no worker runs it again, so its cards after the wait never run.") {
		t.Error("the cancel form does not say that the cards after the wait never run")
	}
	for _, tc := range []struct {
		name   string
		id     string
		form   url.Values
		origin string
		want   int
		says   string
	}{
		{"no form token", waiting, url.Values{"confirm": {"yes"}}, "", http.StatusForbidden, "form has expired"},
		{"another site", waiting, url.Values{"confirm": {"yes"}, "csrf": {tok}}, "https://evil.example", http.StatusForbidden, "form has expired"},
		{"not confirmed", waiting, url.Values{"csrf": {tok}}, "", http.StatusBadRequest, "ticking the box"},
		{"a reason on two lines", waiting, url.Values{"csrf": {tok}, "confirm": {"yes"}, "reason": {"a\nb"}}, "", http.StatusBadRequest, "control character"},
		{"a reason over the field's 1000 characters", waiting, url.Values{"csrf": {tok}, "confirm": {"yes"}, "reason": {strings.Repeat("é", 1001)}}, "",
			http.StatusBadRequest, "the reason is 1001 characters; keep it to 1000 at most"},
		{"running", running, url.Values{"csrf": {tok}, "confirm": {"yes"}}, "", http.StatusConflict, "can be canceled once it waits or ends"},
		{"finished", f.failed, url.Values{"csrf": {tok}, "confirm": {"yes"}}, "", http.StatusConflict, "already finished (failed)"},
		{"unknown", "ex_nope", url.Values{"csrf": {tok}, "confirm": {"yes"}}, "", http.StatusNotFound, "no execution"},
	} {
		code, body := post(t, op, f, tc.id, "cancel", tc.form, tc.origin)
		if code != tc.want || !strings.Contains(body, tc.says) {
			t.Errorf("%s: cancel = %d, want %d saying %q", tc.name, code, tc.want, tc.says)
		}
	}
	if s := f.status(waiting); s != store.Waiting {
		t.Fatalf("the execution is %s after refused cancels", s)
	}
	code, _ := post(t, op, f, waiting, "cancel", url.Values{"csrf": {tok}, "confirm": {"yes"}, "reason": {" user left before approval "}}, f.srv.URL)
	if code != http.StatusSeeOther {
		t.Fatalf("the operator's cancel = %d, want 303", code)
	}
	ex, err := f.st.Execution(context.Background(), waiting)
	if err != nil || ex.Status != store.Canceled || ex.Error != "canceled by oncall: user left before approval" {
		t.Fatalf("after the cancel: %+v, %v", ex, err)
	}
	_, page, _ = get(t, op, f.srv.URL+"/ui/executions/"+waiting+"?msg=canceled")
	for _, want := range []string{`st-canceled`, `data-testid="canceled"`, "canceled by oncall: user left before approval", `data-testid="replay-form"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the canceled execution's page lacks %s", want)
		}
	}
	if strings.Contains(page, `data-testid="cancel-form"`) {
		t.Error("the canceled execution's page still has the cancel form")
	}
	_, list, _ := get(t, op, f.srv.URL+"/ui/executions?status=canceled")
	if !strings.Contains(list, waiting) || strings.Contains(list, running) {
		t.Error("the list filtered by canceled does not list only the canceled execution")
	}
	_, audit, _ := get(t, op, f.srv.URL+"/ui/audit")
	for _, want := range []string{"user left before approval", "refused: Canceling needs the operate role", "refused: The form has expired",
		"refused: Confirm that you want to cancel", "can be canceled once it waits or ends"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
}

// TestCancelReasonInCharacters: the reason field takes 1000 characters
// (maxlength), and the cancel takes as many, whatever their script: 1000
// characters of Chinese are 3000 bytes.
func TestCancelReasonInCharacters(t *testing.T) {
	f := newFixture(t, 1)
	waiting := f.park()
	op := f.login(operateToken)
	tok := replayForm(t, op, f, waiting)
	_, page, _ := get(t, op, f.srv.URL+"/ui/executions/"+waiting)
	if !strings.Contains(page, `maxlength="1000"`) {
		t.Fatal("the reason field does not take 1000 characters")
	}
	reason := strings.Repeat("承", 1000)
	if code, body := post(t, op, f, waiting, "cancel", url.Values{"csrf": {tok}, "confirm": {"yes"}, "reason": {reason}}, ""); code != http.StatusSeeOther {
		t.Fatalf("a cancel with 1000 characters of reason = %d, want 303:\n%s", code, body)
	}
	ex, err := f.st.Execution(context.Background(), waiting)
	if err != nil || ex.Status != store.Canceled || ex.Error != "canceled by oncall: "+reason {
		t.Fatalf("after the cancel: status %s, error %.60q…, %v", ex.Status, ex.Error, err)
	}
}

// TestWake: Retry now makes a waiting execution due at once; it is
// offered and accepted for waiting executions only.
func TestWake(t *testing.T) {
	f := newFixture(t, 2)
	waiting := f.park()
	pending := func() string {
		exs, err := f.st.Executions(context.Background(), store.Filter{Status: store.Pending})
		if err != nil || len(exs) != 1 {
			t.Fatalf("pending = %v, %v", exs, err)
		}
		return exs[0].ID
	}()
	op := f.login(operateToken)
	_, page, _ := get(t, op, f.srv.URL+"/ui/executions/"+pending)
	if strings.Contains(page, `data-testid="wake-form"`) || !strings.Contains(page, `data-testid="cancel-form"`) {
		t.Error("a pending execution's page: want a cancel form and no wake form")
	}
	tok := replayForm(t, op, f, waiting)
	if code, body := post(t, op, f, pending, "wake", url.Values{"csrf": {tok}}, ""); code != http.StatusConflict || !strings.Contains(body, "only a waiting execution can be woken") {
		t.Errorf("waking a pending execution = %d, want 409 saying why", code)
	}
	if code, _ := post(t, op, f, waiting, "wake", url.Values{}, ""); code != http.StatusForbidden {
		t.Errorf("a wake without the form token = %d, want 403", code)
	}
	before := time.Now()
	if code, _ := post(t, op, f, waiting, "wake", url.Values{"csrf": {tok}}, ""); code != http.StatusSeeOther {
		t.Fatalf("the operator's wake = %d, want 303", code)
	}
	ex, _ := f.st.Execution(context.Background(), waiting)
	if ex.Status != store.Waiting || ex.WakeAt.Before(before.Add(-time.Second)) || ex.WakeAt.After(time.Now()) {
		t.Errorf("after the wake: %s due %v, want waiting and due now", ex.Status, ex.WakeAt)
	}
	got, err := f.st.Claim(context.Background(), "w2", 5, time.Minute, store.ClaimOptions{})
	if err != nil || len(got) != 2 {
		t.Errorf("Claim after the wake = %d executions, %v; want the pending and the woken one", len(got), err)
	}
	_, audit, _ := get(t, op, f.srv.URL+"/ui/audit")
	if !strings.Contains(audit, "wake") || !strings.Contains(audit, "only a waiting execution can be woken") {
		t.Error("the audit log lacks the wakes")
	}
}

// TestOperateStoreFailure: when the store fails a cancel or a wake, the
// page says to retry (503) and does not show the store's own error.
func TestOperateStoreFailure(t *testing.T) {
	f := newFixture(t, 1)
	waiting := f.park()
	op := f.login(operateToken)
	tok := replayForm(t, op, f, waiting)
	f.st.Close()
	for _, action := range []string{"cancel", "wake"} {
		code, body := post(t, op, f, waiting, action, url.Values{"csrf": {tok}, "confirm": {"yes"}}, "")
		if code != http.StatusServiceUnavailable || !strings.Contains(body, "could not be stored; retry") {
			t.Errorf("%s over a failed store = %d, want 503 saying to retry:\n%s", action, code, body)
		}
		if strings.Contains(body, "memory store") {
			t.Errorf("%s over a failed store shows the store's error:\n%s", action, body)
		}
	}
}

// refusingReplay is a source that will not replay anything, for a reason
// of its own, as the engine's refuses a replay against another org.
type refusingReplay struct{ console.Source }

func (refusingReplay) Replay(context.Context, string, string, bool) error {
	return &console.Refusal{Reason: "execution is not replayed: connection okta.main's org_url changed"}
}

// TestReplayRefusedBySource: a source's refusal is shown as it is (409)
// and audited as a refusal, not taken for a store failure (503 "retry").
func TestReplayRefusedBySource(t *testing.T) {
	f := newFixture(t, 0)
	f.srv = httptest.NewServer(console.New(console.Options{Source: refusingReplay{&engine.ConsoleSource{Store: f.st}}, Auth: f.auth, Poll: 20 * time.Millisecond}))
	t.Cleanup(f.srv.Close)
	op := f.login(operateToken)
	tok := replayForm(t, op, f, f.failed)
	code, body := post(t, op, f, f.failed, "replay", url.Values{"csrf": {tok}, "confirm": {"yes"}}, "")
	if code != http.StatusConflict || !strings.Contains(body, "org_url changed") {
		t.Errorf("replay the source refuses = %d, want 409 with its reason:\n%s", code, body)
	}
	if got := f.status(f.failed); got != store.Failed {
		t.Errorf("after the refused replay the execution is %s, want failed as before", got)
	}
	if _, audit, _ := get(t, op, f.srv.URL+"/ui/audit"); !strings.Contains(audit, "refused: execution is not replayed: connection okta.main&#39;s org_url changed") {
		t.Errorf("the audit log does not record the refusal with its reason:\n%s", audit)
	}
}
