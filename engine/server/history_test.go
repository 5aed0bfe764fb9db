package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestHistoryAPI(t *testing.T) {
	f := newFixture(t, loadGen(t, flowsHCL))
	if r := f.do(t, "POST", "/hooks/okta/main", readFixture(t, "event-hook-batch-mixed.json"), auth); r.Status != 200 {
		t.Fatalf("delivery: %d %s", r.Status, r.Body)
	}
	ctx := context.Background()
	st := f.backend.st
	exs, err := st.Claim(ctx, "test", 1, time.Minute, store.ClaimOptions{})
	if err != nil || len(exs) != 1 {
		t.Fatalf("claim: %v %v", exs, err)
	}
	done := exs[0]
	start := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	if err := st.Append(ctx, store.JournalEntry{
		ExecutionID: done.ID, Card: "hello", Attempt: 1, Status: store.EntryOK,
		Input: []byte(`{"text":"created"}`), Output: []byte(`{"text":"created"}`),
		StartedAt: start, EndedAt: start.Add(1500 * time.Microsecond),
	}); err != nil {
		t.Fatal(err)
	}
	if err := st.Finish(ctx, done.ID, store.Succeeded, []byte(`{"ok":true}`), ""); err != nil {
		t.Fatal(err)
	}

	t.Run("list", func(t *testing.T) {
		var body struct{ Executions []server.ExecutionJSON }
		getJSON(t, f, "/api/v1/executions", 200, &body)
		if len(body.Executions) != 3 {
			t.Fatalf("%d executions, want 3", len(body.Executions))
		}
		for _, ex := range body.Executions {
			if ex.ID == "" || ex.Flow == "" || ex.DedupKey == "" || ex.ReceivedAt == nil || len(ex.Trigger) == 0 || ex.Cards != nil {
				t.Errorf("incomplete list entry %+v", ex)
			}
		}
	})
	filters := []struct {
		query string
		want  int
	}{
		{"?flow=on_create", 2},
		{"?flow=on_update", 1},
		{"?flow=nope", 0},
		{"?status=succeeded", 1},
		{"?status=pending", 2},
		{"?limit=1", 1},
		{"?limit=1000000", 3},
		{"?since=2000-01-01T00:00:00Z", 3},
		{"?since=2999-01-01T00:00:00Z", 0},
		{"?since=1h", 3},
		{"?since=7d", 3},
		{"?since=90m", 3},
		// text matches a correlation term from its start, in any case:
		// a login, a display name, a word of one (a surname).
		{"?text=kari.nordmann@", 2},
		{"?text=Kari", 2},
		{"?text=nordmann", 2},
		{"?text=%20HANSEN%20", 1},
		{"?text=ordmann", 0},
		{"?text=nordmann&flow=on_update", 1},
	}
	for _, tt := range filters {
		t.Run("list"+tt.query, func(t *testing.T) {
			var body struct{ Executions []server.ExecutionJSON }
			getJSON(t, f, "/api/v1/executions"+tt.query, 200, &body)
			if len(body.Executions) != tt.want {
				t.Errorf("%d executions, want %d", len(body.Executions), tt.want)
			}
		})
	}
	for q, want := range map[string]string{
		"since=yesterday": `since is a duration back from now (24h, 7d) or an RFC 3339 time (2026-01-31T09:00:00Z), not "yesterday"`,
		"since=-5h":       `since is a duration back from now (24h, 7d), not a negative one: "-5h"`,
	} {
		t.Run("bad "+q, func(t *testing.T) {
			var body map[string]string
			getJSON(t, f, "/api/v1/executions?"+q, 400, &body)
			if body["error"] != want {
				t.Errorf("error %q, want %q", body["error"], want)
			}
		})
	}
	for _, q := range []string{"since=yesterday", "status=done", "limit=ten", "limit=0", "limit=-1"} {
		t.Run("bad "+q, func(t *testing.T) {
			var body map[string]string
			getJSON(t, f, "/api/v1/executions?"+q, 400, &body)
			if body["error"] == "" {
				t.Errorf("body %v", body)
			}
		})
	}
	// A near miss of a status is answered with the spelling it takes.
	for q, want := range map[string]string{
		"cancelled": `unknown status "cancelled": did you mean "canceled"? It is one of ` + server.StatusList(),
		"Failed":    `unknown status "Failed": did you mean "failed"? It is one of ` + server.StatusList(),
		"done":      `unknown status "done": it is one of ` + server.StatusList(),
	} {
		t.Run("status="+q, func(t *testing.T) {
			var body map[string]string
			getJSON(t, f, "/api/v1/executions?status="+q, 400, &body)
			if body["error"] != want {
				t.Errorf("error %q, want %q", body["error"], want)
			}
		})
	}
	t.Run("get", func(t *testing.T) {
		var got server.ExecutionJSON
		getJSON(t, f, "/api/v1/executions/"+done.ID, 200, &got)
		want := server.ExecutionJSON{
			ID: done.ID, Flow: done.Flow, Status: "succeeded", DedupKey: done.DedupKey, Claims: 1,
			Output: json.RawMessage(`{"ok":true}`),
			Cards: []server.CardJSON{{Card: "hello", Attempt: 1, Status: "ok", Input: json.RawMessage(`{"text":"created"}`),
				Output: json.RawMessage(`{"text":"created"}`), StartedAt: start, DurationMS: 1.5}},
		}
		ignore := cmpopts.IgnoreFields(server.ExecutionJSON{}, "ReceivedAt", "StartedAt", "EndedAt", "Trigger")
		if diff := cmp.Diff(want, got, ignore, cmp.Comparer(func(a, b json.RawMessage) bool { return compactEq(a, b) })); diff != "" {
			t.Errorf("execution (-want +got):\n%s", diff)
		}
		if got.ReceivedAt == nil || got.StartedAt == nil || got.EndedAt == nil {
			t.Errorf("times missing: %+v", got)
		}
	})
	t.Run("get pending has no start", func(t *testing.T) {
		others, _ := st.Executions(ctx, store.Filter{Status: store.Pending, Limit: 1})
		var got server.ExecutionJSON
		getJSON(t, f, "/api/v1/executions/"+others[0].ID, 200, &got)
		if got.StartedAt != nil || got.EndedAt != nil || got.Status != "pending" {
			t.Errorf("pending execution %+v", got)
		}
	})
	t.Run("get unknown", func(t *testing.T) {
		var body map[string]string
		getJSON(t, f, "/api/v1/executions/nope", http.StatusNotFound, &body)
		if body["error"] != "no such execution" {
			t.Errorf("body %v", body)
		}
	})
}

func compactEq(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	return cmp.Equal(x, y)
}

func getJSON(t *testing.T, f *fixture, path string, status int, v any) {
	t.Helper()
	r := f.doAdmin(t, "GET", path, nil, nil)
	if r.Status != status {
		t.Fatalf("GET %s: status %d, want %d: %s", path, r.Status, status, r.Body)
	}
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, r.Body)
	}
}

func TestExecutionViewDropsInvalidJSON(t *testing.T) {
	v := server.ExecutionView(&store.Execution{ID: "x", Output: []byte("not json"), Payload: []byte("{}")},
		[]store.JournalEntry{{Card: "c", Input: []byte("{"), Output: []byte("null")}})
	if v.Output != nil || string(v.Trigger) != "{}" || v.Cards[0].Input != nil || string(v.Cards[0].Output) != "null" {
		t.Errorf("view %+v", v)
	}
	if _, err := json.Marshal(v); err != nil {
		t.Errorf("the view does not encode: %v", err)
	}
}

// TestParseSince: the one parser of the history API's since and of
// `cardflow history --since`.
func TestParseSince(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"0", now},
		{"90m", now.Add(-90 * time.Minute)},
		{"24h", now.Add(-24 * time.Hour)},
		{"7d", now.Add(-7 * 24 * time.Hour)},
		{"2026-01-31T09:00:00Z", time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)},
		{"2026-01-31T09:00:00+02:00", time.Date(2026, 1, 31, 7, 0, 0, 0, time.UTC)},
	} {
		got, err := server.ParseSince("since", tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"yesterday", "-5h", "-1d", "7 d", "2026-01-31", "1w"} {
		if got, err := server.ParseSince("--since", in, now); err == nil || !strings.HasPrefix(err.Error(), "--since is a duration back from now") {
			t.Errorf("ParseSince(%q) = %v, %v; want an error naming --since and the accepted forms", in, got, err)
		}
	}
}
