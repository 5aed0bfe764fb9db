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
