package emulator_test

import (
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

func eventUUIDs(evs []*okta.LogEvent) []string {
	out := []string{}
	for _, ev := range evs {
		out = append(out, ev.Uuid)
	}
	return out
}

func TestLogPolling(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	since := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	var want []string
	for _, l := range []string{"a@x.com", "b@x.com", "c@x.com"} {
		u := o.createUser(t, l, false)
		want = append(want, u.Id)
	}
	qp := query.NewQueryParams(query.WithSince(since), query.WithLimit(2),
		query.WithFilter(`eventType eq "user.lifecycle.create"`))
	page, resp, err := o.client.LogEvent.GetLogs(o.ctx, qp)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var targets []string
	collect := func(evs []*okta.LogEvent) {
		for _, ev := range evs {
			if seen[ev.Uuid] {
				t.Errorf("event %s returned twice", ev.Uuid)
			}
			seen[ev.Uuid] = true
			targets = append(targets, ev.Target[0].Id)
		}
	}
	collect(page)
	if len(page) != 2 {
		t.Fatalf("first page has %d events, want 2", len(page))
	}
	// Follow next until an empty page: a polling query always has a next link.
	for polls := 0; len(page) > 0; polls++ {
		if polls > 5 {
			t.Fatal("still polling after 5 pages: the next link does not advance")
		}
		if !resp.HasNextPage() {
			t.Fatal("polling page without a next link")
		}
		var next []*okta.LogEvent
		if resp, err = resp.Next(o.ctx, &next); err != nil {
			t.Fatal(err)
		}
		collect(next)
		page = next
	}
	if !resp.HasNextPage() {
		t.Fatal("empty polling page has no next link")
	}
	if diff := cmp.Diff(want, targets); diff != "" {
		t.Errorf("polled creations (-want +got):\n%s", diff)
	}

	// New events appear when the empty page's next link is followed again.
	d := o.createUser(t, "d@x.com", false)
	e := o.createUser(t, "e@x.com", true) // its activate event is filtered out
	var fresh []*okta.LogEvent
	if _, err := resp.Next(o.ctx, &fresh); err != nil {
		t.Fatal(err)
	}
	collect(fresh)
	if diff := cmp.Diff(append(want, d.Id, e.Id), targets); diff != "" {
		t.Errorf("after new events (-want +got):\n%s", diff)
	}
}

func TestLogEmptyPageCursorStaysPut(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	qp := query.NewQueryParams(query.WithSince(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)))
	evs, resp, err := o.client.LogEvent.GetLogs(o.ctx, qp)
	if err != nil || len(evs) != 0 || !resp.HasNextPage() {
		t.Fatalf("empty log: %d events, next=%v, err=%v", len(evs), resp.HasNextPage(), err)
	}
	for range 2 {
		var again []*okta.LogEvent
		r2, err := resp.Next(o.ctx, &again)
		if err != nil || len(again) != 0 || !r2.HasNextPage() {
			t.Fatalf("empty next: %d events, err=%v", len(again), err)
		}
	}
	u := o.createUser(t, "late@x.com", false)
	var got []*okta.LogEvent
	if _, err := resp.Next(o.ctx, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].EventType != "user.lifecycle.create" || got[0].Target[0].Id != u.Id {
		t.Errorf("after creation: %v", eventUUIDs(got))
	}
}

func TestLogQueries(t *testing.T) {
	o := newOrg(t, emulator.Options{})
	start := time.Now().Add(-time.Second).UTC()
	u := o.createUser(t, "a@x.com", true) // create + activate
	v := o.createUser(t, "b@x.com", false)
	if _, err := o.client.User.SuspendUser(o.ctx, u.Id); err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(time.Second).UTC().Format(time.RFC3339Nano)
	types := func(evs []*okta.LogEvent) []string {
		out := []string{}
		for _, ev := range evs {
			out = append(out, ev.EventType)
		}
		return out
	}
	tests := []struct {
		name   string
		params []query.ParamOptions
		want   []string
	}{
		{"target.id", []query.ParamOptions{query.WithFilter(`target.id eq "` + v.Id + `"`)}, []string{"user.lifecycle.create"}},
		{"sw", []query.ParamOptions{query.WithFilter(`eventType sw "user.lifecycle.s"`)}, []string{"user.lifecycle.suspend"}},
		{"and", []query.ParamOptions{query.WithFilter(`eventType eq "user.lifecycle.create" and target.id eq "` + u.Id + `"`)}, []string{"user.lifecycle.create"}},
		{"or", []query.ParamOptions{query.WithFilter(`eventType eq "user.lifecycle.activate" or eventType eq "user.lifecycle.suspend"`)}, []string{"user.lifecycle.activate", "user.lifecycle.suspend"}},
		{"q", []query.ParamOptions{query.WithQ("b@x.com")}, []string{"user.lifecycle.create"}},
		{"descending", []query.ParamOptions{query.WithSortOrder("DESCENDING"), query.WithLimit(1)}, []string{"user.lifecycle.suspend"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := append([]query.ParamOptions{query.WithSince(start.Format(time.RFC3339Nano))}, tt.params...)
			evs, _, err := o.client.LogEvent.GetLogs(o.ctx, query.NewQueryParams(params...))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, types(evs)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	// A bounded query has finite pages: 4 events in pages of 3 end after two.
	qp := query.NewQueryParams(query.WithSince(start.Format(time.RFC3339Nano)), query.WithUntil(until), query.WithLimit(3))
	evs, resp, err := o.client.LogEvent.GetLogs(o.ctx, qp)
	if err != nil || len(evs) != 3 || !resp.HasNextPage() {
		t.Fatalf("bounded first page: %d events next=%v err=%v", len(evs), resp.HasNextPage(), err)
	}
	var rest []*okta.LogEvent
	last, err := resp.Next(o.ctx, &rest)
	if err != nil || len(rest) != 1 || last.HasNextPage() {
		t.Errorf("bounded last page: %d events next=%v err=%v", len(rest), last.HasNextPage(), err)
	}

	_, resp, err = o.client.LogEvent.GetLogs(o.ctx, query.NewQueryParams(query.WithFilter(`eventType eq`)))
	wantOktaError(t, resp, err, 400, "E0000053")
	_, resp, err = o.client.LogEvent.GetLogs(o.ctx, query.NewQueryParams(query.WithSince("yesterday")))
	wantOktaError(t, resp, err, 400, "E0000001")
}

// TestLogEventShape checks that an emulated event has every field of the
// real event hook payload in connectors/okta/testdata, so consumers
// written against real payloads work.
func TestLogEventShape(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "testdata", "event-hook-user-created.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var fixture struct {
		Data struct {
			Events []map[string]any `json:"events"`
		} `json:"data"`
	}
	data, _ := io.ReadAll(f)
	if err := json.Unmarshal(data, &fixture); err != nil {
		t.Fatal(err)
	}
	o := newOrg(t, emulator.Options{})
	if _, err := o.emu.CreateUser(profile("kari@x.com", "Kari", "Nordmann"), false); err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(o.emu.LogEvents()[0])
	if err != nil {
		t.Fatal(err)
	}
	var ours map[string]any
	if err := json.Unmarshal(raw, &ours); err != nil {
		t.Fatal(err)
	}
	want, got := keyPaths("", fixture.Data.Events[0]), keyPaths("", ours)
	var missing []string
	for p := range want {
		if !got[p] {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	// The fixture's geographical context is not emulated (null here).
	allowed := []string{"client.geographicalContext.city", "client.geographicalContext.country",
		"client.geographicalContext.geolocation", "client.geographicalContext.geolocation.lat",
		"client.geographicalContext.geolocation.lon", "client.geographicalContext.postalCode",
		"client.geographicalContext.state"}
	if diff := cmp.Diff(allowed, missing); diff != "" {
		t.Errorf("fields of the fixture event missing here (-allowed +missing):\n%s", diff)
	}
	if ours["eventType"] != "user.lifecycle.create" || ours["version"] != "0" || ours["displayMessage"] != "Create Okta user" {
		t.Errorf("event = %s", raw)
	}
}

func keyPaths(prefix string, v any) map[string]bool {
	out := map[string]bool{}
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = true
			for sub := range keyPaths(p, val) {
				out[sub] = true
			}
		}
	case []any:
		if len(x) > 0 {
			return keyPaths(prefix, x[0])
		}
	}
	return out
}

// TestLogQueryErrors: the System Log refuses what Okta documents it
// refuses, with Okta's codes and an errorCause that names the parameter:
// a date that is not ISO 8601 (E0000001), a since more than 180 days back
// or a filter that is not valid SCIM (E0000053), a keyword over 40
// characters (E0000001). A since within 180 days, or an old since on a
// next link (after wins), is served.
func TestLogQueryErrors(t *testing.T) {
	now := time.Date(2026, 12, 7, 23, 21, 18, 0, time.UTC)
	o := newOrg(t, emulator.Options{Now: func() time.Time { return now }})
	day := 24 * time.Hour
	at := func(d time.Duration) string { return url.QueryEscape(now.Add(-d).Format(time.RFC3339)) }
	for _, tt := range []struct {
		name, query string
		status      int
		code, cause string
	}{
		{"since not a date", "since=yesterday", 400, "E0000001", "since: "},
		{"until not a date", "until=2026-13-01", 400, "E0000001", "until: "},
		{"since 181 days back", "since=" + at(181*day), 400, "E0000053", "since: "},
		{"since 181 days back, bounded", "since=" + at(181*day) + "&until=" + at(day), 400, "E0000053", "since: "},
		{"since 179 days back", "since=" + at(179*day), 200, "", ""},
		{"since 181 days back on a next link", "since=" + at(181*day) + "&after=" + nextAfter(t, o), 200, "", ""},
		{"filter not SCIM", "filter=" + url.QueryEscape(`eventType eq`), 400, "E0000053", ""},
		{"filter on published", "filter=" + url.QueryEscape(`published gt "2026-12-01T00:00:00.000Z"`), 400, "E0000053", ""},
		{"keyword over 40 characters", "q=" + strings.Repeat("x", 41), 400, "E0000001", "q: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := doRaw(t, o, "GET", "/api/v1/logs?"+tt.query, "SSWS "+testToken)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == 200 {
				return
			}
			body := decodeError(t, resp)
			if body.ErrorCode != tt.code || body.ErrorLink != tt.code {
				t.Errorf("errorCode %q errorLink %q, want %s", body.ErrorCode, body.ErrorLink, tt.code)
			}
			if tt.cause != "" && (len(body.ErrorCauses) == 0 || !strings.HasPrefix(body.ErrorCauses[0].ErrorSummary, tt.cause)) {
				t.Errorf("errorCauses %+v, want one starting %q", body.ErrorCauses, tt.cause)
			}
		})
	}
}

// nextAfter returns the after cursor of a polling request's next link.
func nextAfter(t *testing.T, o *org) string {
	t.Helper()
	resp := doRaw(t, o, "GET", "/api/v1/logs", "SSWS "+testToken)
	for _, l := range resp.Header.Values("Link") {
		if strings.Contains(l, `rel="next"`) {
			u, err := url.Parse(strings.Trim(strings.Split(l, ";")[0], "<>"))
			if err != nil {
				t.Fatal(err)
			}
			return url.QueryEscape(u.Query().Get("after"))
		}
	}
	t.Fatal("a polling request without a next link")
	return ""
}
