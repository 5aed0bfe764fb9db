package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cardflow/cardflow/engine/store"
)

// parkInHistory adds an execution of request_approval to h that waits an
// hour in its incident card's retry backoff, as one does while ServiceNow
// is down, and returns its id.
func parkInHistory(t *testing.T, h *consoleHistory, dedup string) string {
	t.Helper()
	ctx := context.Background()
	res, err := h.st.Enqueue(ctx, []store.Event{{Flow: "request_approval", DedupKey: dedup, Payload: []byte(`{"event":{}}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].ID
	if got, err := h.st.Claim(ctx, "w", 1, time.Minute, store.ClaimOptions{}); err != nil || len(got) != 1 || got[0].ID != id {
		t.Fatalf("Claim = %v, %v; want %s", got, err, id)
	}
	now := time.Now().UTC()
	wake := now.Add(time.Hour)
	failed := store.JournalEntry{ExecutionID: id, Card: "incident", Attempt: 1, Status: store.EntryError, Error: "servicenow.create_record: HTTP 503",
		ErrorKind: "transient", StartedAt: now, EndedAt: now}
	waiting := store.JournalEntry{ExecutionID: id, Card: "incident", Attempt: 2, Status: store.EntryWaiting, StartedAt: now, EndedAt: now,
		Output: []byte(`{"reason":"retry","until":"` + wake.Format(time.RFC3339Nano) + `"}`)}
	if err := h.st.Park(ctx, id, wake, failed, waiting); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestConsoleCancelAndWake: an operator opens a waiting execution and
// sees a Retry now button and a Cancel form; Retry now makes it due at
// once; Cancel, with a reason, ends another as canceled, which the page
// then shows with who canceled it and why, without the forms, and which
// the list's status filter and the audit log find.
func TestConsoleCancelAndWake(t *testing.T) {
	h := newConsoleHistory(t)
	woken, canceled := parkInHistory(t, h, "woken"), parkInHistory(t, h, "canceled")
	b := newBrowser(t)

	b.do("opening the waiting execution", chromedp.Navigate(h.url+"/executions/"+woken), chromedp.WaitVisible(chromedp.CSS(`[data-testid=wake]`)))
	if got := b.text(`[data-testid=status]`); got != "waiting" {
		t.Fatalf("status = %q, want waiting", got)
	}
	if n := b.count(`[data-testid=cancel-form]`); n != 1 {
		t.Errorf("a waiting execution shows %d cancel forms, want 1", n)
	}
	before := time.Now()
	b.do("retrying it now", chromedp.Click(chromedp.CSS(`[data-testid=wake]`)))
	b.waitLoaded("msg=woken")
	b.do("reading the page after the wake", chromedp.WaitVisible(chromedp.CSS(`[data-testid=woken]`)))
	ex, err := h.st.Execution(context.Background(), woken)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Status != store.Waiting || ex.WakeAt.After(time.Now()) || ex.WakeAt.Before(before.Add(-time.Second)) {
		t.Errorf("after Retry now: %s, due %v; want waiting and due now", ex.Status, ex.WakeAt)
	}

	b.do("opening the other waiting execution", chromedp.Navigate(h.url+"/executions/"+canceled), chromedp.WaitVisible(chromedp.CSS(`[data-testid=cancel-form]`)))
	b.do("canceling it with a reason",
		chromedp.SendKeys(chromedp.CSS(`[data-testid=reason]`), "user left before approval"),
		chromedp.Click(chromedp.CSS(`[data-testid=cancel-confirm]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=cancel]`)))
	b.waitLoaded("msg=canceled")
	b.do("reading the canceled execution", chromedp.WaitVisible(chromedp.CSS(`[data-testid=canceled]`)))
	if got := b.text(`[data-testid=status]`); got != "canceled" {
		t.Errorf("status = %q, want canceled", got)
	}
	if got := b.text(`.facts .error`); got != "canceled by local: user left before approval" {
		t.Errorf("the page says %q, want who canceled it and why", got)
	}
	if n := b.count(`[data-testid=cancel-form], [data-testid=wake-form]`); n != 0 {
		t.Errorf("the canceled execution still shows %d cancel or wake forms", n)
	}
	if n := b.count(`[data-testid=replay-form]`); n != 1 {
		t.Errorf("the canceled execution shows %d replay forms, want 1", n)
	}
	if b.count(`[data-testid=force]`) != 0 {
		t.Error("replaying a canceled execution asks for force")
	}
	if ex, _ := h.st.Execution(context.Background(), canceled); ex.Status != store.Canceled {
		t.Errorf("the store has it %s, want canceled", ex.Status)
	}

	b.do("listing the canceled executions", chromedp.Navigate(h.url+"/executions?status=canceled"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=executions]`)))
	if list := b.text(`[data-testid=executions]`); !strings.Contains(list, canceled) || strings.Contains(list, woken) {
		t.Errorf("the list of canceled executions:\n%s", list)
	}
	if !b.eval(`[...document.querySelectorAll("select[name=status] option")].some(o => o.value === "canceled")`) {
		t.Error("the status filter has no canceled option")
	}
	b.do("opening the audit log", chromedp.Navigate(h.url+"/audit"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=audit]`)))
	audit := b.text(`[data-testid=audit]`)
	for _, want := range []string{"cancel", "user left before approval", "wake", canceled, woken} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %q:\n%s", want, audit)
		}
	}
	b.noErrors()
}
