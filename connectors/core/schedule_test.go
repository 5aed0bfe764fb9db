package core

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

type emitted struct {
	IDs    []string
	Cursor time.Time
	Calls  int
}

// pollAt runs one tick of schedule.cron at now with cursor and returns what
// it emitted.
func pollAt(t *testing.T, cronExpr, zone string, cursor []byte, now time.Time) (emitted, []byte, error) {
	t.Helper()
	trig, _ := Schedule().Trigger("cron")
	var out emitted
	var next []byte
	req := &connector.PollRequest{
		Config: cty.ObjectVal(map[string]cty.Value{"cron": cty.StringVal(cronExpr), "timezone": cty.StringVal(zone)}),
		Cursor: cursor,
		Now:    func() time.Time { return now },
		Emit: func(_ context.Context, evs []connector.Event, c []byte) error {
			out.Calls++
			for _, ev := range evs {
				out.IDs = append(out.IDs, ev.ID)
				var p map[string]string
				if err := json.Unmarshal(ev.Payload, &p); err != nil || p["time"] != ev.ID || !ev.Time.Equal(mustTime(t, ev.ID)) {
					t.Errorf("event %+v: payload %s does not carry its time", ev, ev.Payload)
				}
				if ev.Type != "schedule.cron" {
					t.Errorf("type %q", ev.Type)
				}
			}
			next = c
			if err := json.Unmarshal(c, &out.Cursor); err != nil {
				t.Errorf("cursor %s: %v", c, err)
			}
			return nil
		},
	}
	err := trig.Poll(context.Background(), req)
	return out, next, err
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func cursorAt(tm time.Time) []byte {
	b, _ := json.Marshal(tm)
	return b
}

func TestCronPoll(t *testing.T) {
	utc := func(s string) time.Time { return time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC).Add(mustDur(s)) }
	tests := []struct {
		name   string
		cron   string
		zone   string
		cursor time.Time // zero: first start
		now    time.Time
		want   emitted
	}{
		{"first start emits nothing and stores now", "0 9 * * *", "UTC", time.Time{}, utc("9h30m"),
			emitted{Calls: 1, Cursor: utc("9h30m")}},
		{"not yet due", "0 9 * * *", "UTC", utc("8h"), utc("8h59m59s"), emitted{}},
		{"due exactly now", "0 9 * * *", "UTC", utc("8h"), utc("9h"),
			emitted{Calls: 1, IDs: []string{"2026-11-30T09:00:00Z"}, Cursor: utc("9h")}},
		{"due a little earlier", "*/15 * * * *", "UTC", utc("9h"), utc("9h20m"),
			emitted{Calls: 1, IDs: []string{"2026-11-30T09:15:00Z"}, Cursor: utc("9h15m")}},
		{"several missed runs catch up once, at the latest", "0 * * * *", "UTC", utc("1h"), utc("5h30m"),
			emitted{Calls: 1, IDs: []string{"2026-11-30T05:00:00Z"}, Cursor: utc("5h")}},
		{"time zone", "0 9 * * *", "Europe/Berlin", utc("0h"), utc("8h"), // 09:00 in Berlin is 08:00 UTC in winter
			emitted{Calls: 1, IDs: []string{"2026-11-30T08:00:00Z"}, Cursor: utc("8h")}},
		{"time zone not yet due", "0 9 * * *", "America/New_York", utc("0h"), utc("13h59m"), emitted{}},
		{"time zone due", "0 9 * * *", "America/New_York", utc("0h"), utc("14h"),
			emitted{Calls: 1, IDs: []string{"2026-11-30T14:00:00Z"}, Cursor: utc("14h")}},
		{"descriptor", "@daily", "UTC", utc("-1h"), utc("1h"),
			emitted{Calls: 1, IDs: []string{"2026-11-30T00:00:00Z"}, Cursor: utc("0h")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cur []byte
			if !tt.cursor.IsZero() {
				cur = cursorAt(tt.cursor)
			}
			got, _, err := pollAt(t, tt.cron, tt.zone, cur, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("emitted (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCronPollSequence ticks every minute through a morning: each scheduled
// time is emitted once, and the next tick after it emits nothing.
func TestCronPollSequence(t *testing.T) {
	start := time.Date(2026, 11, 30, 8, 58, 30, 0, time.UTC)
	var cursor []byte
	var ids []string
	for i := range 10 {
		got, next, err := pollAt(t, "0,5 9 * * *", "UTC", cursor, start.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.IDs...)
		if next != nil {
			cursor = next
		}
	}
	if diff := cmp.Diff([]string{"2026-11-30T09:00:00Z", "2026-11-30T09:05:00Z"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}

func TestCronInvalid(t *testing.T) {
	trig, _ := Schedule().Trigger("cron")
	cronAttr, _ := trig.Config.Lookup("cron")
	zoneAttr, _ := trig.Config.Lookup("timezone")
	for _, expr := range []string{"0 9 * * 1-5", "@hourly", "*/5 * * * *"} {
		if err := cronAttr.Check(cty.StringVal(expr)); err != nil {
			t.Errorf("Check(%q): %v", expr, err)
		}
	}
	for _, expr := range []string{"", "61 * * * *", "0 9 * *", "0 0 9 * * *", "@fortnightly", "every day", "0 0 30 2 *"} {
		if err := cronAttr.Check(cty.StringVal(expr)); err == nil {
			t.Errorf("Check(%q): no error", expr)
		}
	}
	if err := zoneAttr.Check(cty.StringVal("Mars/Olympus")); err == nil {
		t.Error("Check of an unknown zone: no error")
	}
	if err := zoneAttr.Check(cty.StringVal("Europe/Berlin")); err != nil {
		t.Error(err)
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for name, cfg := range map[string][2]string{"bad cron": {"nope", "UTC"}, "bad zone": {"@hourly", "Mars/Olympus"}} {
		t.Run(name, func(t *testing.T) {
			_, _, err := pollAt(t, cfg[0], cfg[1], nil, now)
			wantKind(t, err, connector.Invalid, "")
		})
	}
	t.Run("a schedule that never fires ends", func(t *testing.T) {
		got, _, err := pollAt(t, "0 0 30 2 *", "UTC", cursorAt(now.Add(-time.Hour)), now)
		if err != nil || got.Calls != 0 {
			t.Errorf("emitted %+v, %v", got, err)
		}
	})
	t.Run("corrupt cursor", func(t *testing.T) {
		_, _, err := pollAt(t, "@hourly", "UTC", []byte("garbage"), now)
		wantKind(t, err, connector.Invalid, "cursor")
	})
}

func mustDur(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestCronCatchUpIsCheap checks that a long stop with a frequent schedule
// catches up with the latest run only, without walking every missed run.
func TestCronCatchUpIsCheap(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	start := time.Now()
	got, _, err := pollAt(t, "@every 1s", "UTC", cursorAt(now.AddDate(-1, 0, 0)), now)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"2026-11-30T09:00:00Z"}, got.IDs); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	// A year of seconds walked one by one takes seconds; the windowed
	// search takes microseconds. The bound is loose for slow machines.
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("catching up took %v", d)
	}
}

// TestCronDaylightSaving records robfig/cron's rules: a local
// time that does not exist on a spring-forward day is not run that day.
func TestCronDaylightSaving(t *testing.T) {
	tests := []struct {
		name        string
		cursor, now time.Time
		want        []string
	}{
		{"spring forward: 02:30 does not exist", time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC), nil},
		{"fall back: 02:30 runs once", time.Date(2026, 10, 24, 12, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC), []string{"2026-10-25T01:30:00Z"}},
		{"summer time offset", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), []string{"2026-07-01T00:30:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := pollAt(t, "30 2 * * *", "Europe/Berlin", cursorAt(tt.cursor), tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.IDs); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
}
