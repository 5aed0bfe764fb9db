package storetest

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/engine/store"
)

var historyTests = []test{
	{"ExecutionsFilter", testExecutionsFilter},
	{"ExecutionsDefaultLimit", testExecutionsDefaultLimit},
	{"ExecutionsSearchAndPages", testExecutionsSearchAndPages},
	{"Activity", testActivity},
}

// testActivity counts by interval and status what was enqueued since a
// time, for the console's chart.
func testActivity(t *testing.T, s store.Store) {
	ar, ok := s.(store.ActivityReader)
	if !ok {
		t.Fatalf("%T is not a store.ActivityReader", s)
	}
	now := time.Now().UTC()
	minute := now.Truncate(time.Minute)
	ids := mustEnqueue(t, s, events("a", "act", 3)...)
	if err := s.Finish(ctx(t), ids[0], store.Failed, nil, "x"); err != nil {
		t.Fatal(err)
	}
	got, err := ar.Activity(ctx(t), now.Add(-time.Minute), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var pending, failed int
	for _, c := range got {
		if c.Start.After(now) || c.Start.Before(minute.Add(-time.Minute)) {
			t.Errorf("interval %v is outside the last minute (now %v)", c.Start, now)
		}
		switch c.Status {
		case store.Pending:
			pending += c.Count
		case store.Failed:
			failed += c.Count
		}
	}
	if pending != 2 || failed != 1 {
		t.Errorf("Activity = %+v: %d pending and %d failed, want 2 and 1", got, pending, failed)
	}
	later, err := ar.Activity(ctx(t), now.Add(time.Hour), time.Minute)
	if err != nil || len(later) != 0 {
		t.Errorf("Activity since an hour from now = %+v, %v; want nothing", later, err)
	}
}

// testExecutionsSearchAndPages covers what the console's list asks:
// correlation terms by prefix, a time window, and keyset pages.
func testExecutionsSearchAndPages(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	var all []string
	for i, terms := range [][]string{
		{"alice@example.com", "00u1"},
		{"bob@example.com", "00u2"},
		{"inc0010001", "alice@example.com"},
		nil,
		{"alicia@example.com"},
	} {
		ev := event("a", strconv.Itoa(i))
		ev.ReceivedAt = t0.Add(time.Duration(i) * time.Hour)
		ev.Terms = terms
		all = append(all, mustEnqueue(t, s, ev)...)
	}
	newestFirst := func(idx ...int) []string {
		var out []string
		for _, i := range slices.Backward(idx) {
			out = append(out, all[i])
		}
		return out
	}
	cases := []struct {
		name string
		f    store.Filter
		want []string
	}{
		{"whole term", store.Filter{Text: "alice@example.com"}, newestFirst(0, 2)},
		{"prefix", store.Filter{Text: "ali"}, newestFirst(0, 2, 4)},
		{"case and spaces", store.Filter{Text: "  INC0010 "}, newestFirst(2)},
		{"no match", store.Filter{Text: "carol"}, nil},
		{"prefix and flow", store.Filter{Text: "ali", Flow: "b"}, nil},
		{"prefix and page", store.Filter{Text: "ali", Before: all[4]}, newestFirst(0, 2)},
		{"prefix and limit", store.Filter{Text: "ali", Limit: 1}, newestFirst(4)},
		{"since and page", store.Filter{Since: t0.Add(time.Hour), Before: all[3]}, newestFirst(1, 2)},
		{"enqueued before a time", store.Filter{Before: store.IDAt(time.Now().Add(-time.Hour))}, nil},
		{"enqueued before now", store.Filter{Before: store.IDAt(time.Now().Add(time.Second)), Limit: 2}, newestFirst(3, 4)},
		{"page after the first", store.Filter{Before: all[3], Limit: 2}, newestFirst(1, 2)},
		{"last page", store.Filter{Before: all[1], Limit: 2}, newestFirst(0)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Executions(ctx(t), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, idsOf(got), cmpOpts); diff != "" {
				t.Errorf("Executions(%+v) (-want +got):\n%s", tc.f, diff)
			}
		})
	}
	// The terms come back sorted, on the list and on the execution.
	want := []string{"alice@example.com", "inc0010001"}
	if got := mustExecution(t, s, all[2]).Terms; !slices.Equal(got, want) {
		t.Errorf("Execution().Terms = %q, want %q", got, want)
	}
	list, err := s.Executions(ctx(t), store.Filter{Text: "inc"})
	if err != nil || len(list) != 1 || !slices.Equal(list[0].Terms, want) {
		t.Errorf("Executions(inc) = %v, %v; want one execution with terms %q", list, err, want)
	}
}

func testExecutionsFilter(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	at := func(flow, key string, h int) store.Event {
		ev := event(flow, key)
		ev.ReceivedAt = t0.Add(time.Duration(h) * time.Hour)
		return ev
	}
	// Enqueued oldest first, one call each, so ids follow this order.
	var all []string
	for _, ev := range []store.Event{at("a", "1", 0), at("b", "1", 1), at("a", "2", 2), at("a", "3", 3), at("b", "2", 4)} {
		all = append(all, mustEnqueue(t, s, ev)...)
	}
	if err := s.Finish(ctx(t), all[2], store.Failed, nil, "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.Finish(ctx(t), all[4], store.Failed, nil, "x"); err != nil {
		t.Fatal(err)
	}
	newestFirst := func(idx ...int) []string {
		var out []string
		for _, i := range slices.Backward(idx) {
			out = append(out, all[i])
		}
		return out
	}
	cases := []struct {
		name string
		f    store.Filter
		want []string
	}{
		{"all", store.Filter{}, newestFirst(0, 1, 2, 3, 4)},
		{"flow", store.Filter{Flow: "a"}, newestFirst(0, 2, 3)},
		{"status", store.Filter{Status: store.Failed}, newestFirst(2, 4)},
		{"flow and status", store.Filter{Flow: "a", Status: store.Pending}, newestFirst(0, 3)},
		{"since is inclusive", store.Filter{Since: t0.Add(2 * time.Hour)}, newestFirst(2, 3, 4)},
		{"since and flow", store.Filter{Flow: "b", Since: t0.Add(2 * time.Hour)}, newestFirst(4)},
		{"limit keeps the newest", store.Filter{Limit: 2}, newestFirst(3, 4)},
		{"no match", store.Filter{Flow: "nope"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Executions(ctx(t), tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, idsOf(got), cmpOpts); diff != "" {
				t.Errorf("Executions(%+v) (-want +got):\n%s", tc.f, diff)
			}
		})
	}
	got, err := s.Executions(ctx(t), store.Filter{Status: store.Failed, Limit: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("Executions = %v, %v", got, err)
	}
	if diff := cmp.Diff(mustExecution(t, s, all[4]), got[0], cmpOpts); diff != "" {
		t.Errorf("Executions and Execution disagree (-Execution +Executions):\n%s", diff)
	}
}

func testExecutionsDefaultLimit(t *testing.T, s store.Store) {
	mustEnqueue(t, s, events("a", "l", 60)...)
	got, err := s.Executions(ctx(t), store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 50 {
		t.Errorf("Executions with no limit returned %d, want the default of 50", len(got))
	}
}
