package console_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// TestRetriedCardCountsItsAttempts: the backoffs a retried card waited out
// between its attempts are journaled as waits; the timeline counts the
// attempts that ran (3, not 5) and shows each backoff as a wait until its
// time, not as an attempt that took 0 µs.
func TestRetriedCardCountsItsAttempts(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	res, err := f.st.Enqueue(ctx, []store.Event{{Flow: "request_approval", DedupKey: "retried", Payload: []byte(`{"event":{}}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].ID
	t0 := time.Date(2026, 12, 8, 0, 12, 50, 0, time.UTC)
	attempt := func(n int, at time.Duration, status store.EntryStatus) store.JournalEntry {
		e := store.JournalEntry{ExecutionID: id, Card: "incident", Attempt: n, Status: status,
			Input: []byte(`{"table":"incident"}`), StartedAt: t0.Add(at), EndedAt: t0.Add(at + time.Millisecond)}
		if status == store.EntryError {
			e.Error, e.ErrorKind = "connection refused", "transient"
		} else {
			e.Output = []byte(`{"number":"INC0010001"}`)
		}
		return e
	}
	wait := func(n int, at, until time.Duration) store.JournalEntry {
		return store.JournalEntry{ExecutionID: id, Card: "incident", Attempt: n, Status: store.EntryWaiting,
			Output:    []byte(`{"reason":"retry","until":"` + t0.Add(until).Format(time.RFC3339Nano) + `"}`),
			StartedAt: t0.Add(at), EndedAt: t0.Add(at)}
	}
	if err := f.st.Finish(ctx, id, store.Succeeded, nil, "",
		attempt(1, 0, store.EntryError), wait(2, 2*time.Millisecond, 8*time.Second),
		attempt(2, 8*time.Second, store.EntryError), wait(3, 8*time.Second+2*time.Millisecond, 20*time.Second),
		attempt(3, 20*time.Second, store.EntryOK)); err != nil {
		t.Fatal(err)
	}
	code, body, _ := get(t, f.login(readToken), f.srv.URL+"/ui/executions/"+id)
	if code != http.StatusOK {
		t.Fatalf("GET the execution = %d", code)
	}
	if !strings.Contains(body, ">3 attempts<") || strings.Contains(body, "5 attempts") {
		t.Errorf("the incident card does not say it ran 3 attempts:\n%s", regexp.MustCompile(`\d+ attempts`).FindAllString(body, -1))
	}
	if n := strings.Count(body, `aria-label="attempt `); n != 3 {
		t.Errorf("the card shows %d attempts, want 3", n)
	}
	for _, want := range []string{
		"Backoff before attempt 2 · from <time datetime=\"2026-12-08T00:12:50.002Z\">2026-12-08 00:12:50.002 UTC</time> until <time datetime=\"2026-12-08T00:12:58Z\">2026-12-08 00:12:58.000 UTC</time>",
		"Backoff before attempt 3 · from",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the timeline does not show %q", want)
		}
	}
}

// TestCanceledWaitIsNotShownWaiting: an execution canceled while its card
// waited shows that card's wait as canceled, not as still waiting.
func TestCanceledWaitIsNotShownWaiting(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	res, err := f.st.Enqueue(ctx, []store.Event{{Flow: "request_approval", DedupKey: "canceled", Payload: []byte(`{"event":{}}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].ID
	if got, err := f.st.Claim(ctx, "w1", 1, time.Minute, store.ClaimOptions{}); err != nil || len(got) != 1 || got[0].ID != id {
		t.Fatalf("Claim = %v, %v; want %s", got, err, id)
	}
	now := time.Now().UTC()
	wake := now.Add(time.Hour)
	entry := store.JournalEntry{ExecutionID: id, Card: "pause", Attempt: 1, Status: store.EntryWaiting,
		Output: []byte(`{"until":"` + wake.Format(time.RFC3339Nano) + `","reason":"wait"}`), StartedAt: now, EndedAt: now}
	if err := f.st.Park(ctx, id, wake, entry); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Cancel(ctx, id, store.CancelReason("oncall", "")); err != nil {
		t.Fatal(err)
	}
	code, body, _ := get(t, f.login(readToken), f.srv.URL+"/ui/executions/"+id)
	if code != http.StatusOK {
		t.Fatalf("GET the execution = %d", code)
	}
	step := regexp.MustCompile(`(?s)<li class="step st-(\w+)" data-card="pause">.*?</li>`).FindStringSubmatch(body)
	if step == nil {
		t.Fatalf("no pause step on the timeline:\n%s", body)
	}
	if step[1] != "canceled" || strings.Contains(step[0], `class="status st-waiting"`) {
		t.Errorf("the pause step is %q, want canceled:\n%s", step[1], step[0])
	}
	if !strings.Contains(step[0], "Wait canceled · from") || !strings.Contains(step[0], "cut short when the execution was canceled") {
		t.Errorf("the pause step does not say the cancel cut its wait short:\n%s", step[0])
	}
}
