package core

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/robfig/cron/v3"
	"github.com/zclconf/go-cty/cty"
)

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule is the schedule connector: flows that run on a cron schedule.
func Schedule() *connector.Connector {
	return &connector.Connector{
		Name: "schedule",
		Doc:  "Scheduled flows.",
		Triggers: []*connector.Trigger{{
			Name: "cron",
			Doc: "Runs the flow at the times of a five-field cron expression (\"0 9 * * 1-5\") or a descriptor (\"@hourly\") in a time zone. " +
				"A run missed while cardflow was stopped runs once when it starts again. trigger.time is the scheduled time (RFC 3339).",
			Mode: connector.Poll,
			Config: connector.Schema{
				{Name: "cron", Type: cty.String, Required: true, Check: checkCron,
					Doc: "Five fields: minute, hour, day of month, month (1–12 or JAN–DEC), day of week (0–6 or SUN–SAT, Sunday 0); " +
						"or @yearly, @monthly, @weekly, @daily, @hourly or @every with a duration (\"@every 1h30m\")."},
				{Name: "timezone", Type: cty.String, Default: cty.StringVal("UTC"), Check: checkZone,
					Doc: "The IANA time zone the cron times are in, e.g. \"Europe/Paris\"."},
			},
			Output:       cty.Object(map[string]cty.Type{"time": cty.String}),
			DefaultEvery: time.Second,
			Poll:         pollCron,
		}},
	}
}

func checkCron(v cty.Value) error {
	sched, err := cronParser.Parse(v.AsString())
	if err != nil {
		return fmt.Errorf("%q is not a cron expression: %v", v.AsString(), err)
	}
	if sched.Next(time.Now()).IsZero() {
		return fmt.Errorf("%q never runs (no such date in the next five years)", v.AsString())
	}
	return nil
}

func checkZone(v cty.Value) error {
	_, err := time.LoadLocation(v.AsString())
	return err
}

// pollCron emits the scheduled times between the cursor and now: at most
// one missed run is caught up, as a scheduler that was down would.
func pollCron(ctx context.Context, req *connector.PollRequest) error {
	sched, err := cronParser.Parse(connector.String(req.Config, "cron"))
	if err != nil {
		return connector.Errorf(connector.Invalid, "%v", err)
	}
	loc, err := time.LoadLocation(connector.String(req.Config, "timezone"))
	if err != nil {
		return connector.Errorf(connector.Invalid, "%v", err)
	}
	now := req.Now().In(loc)
	var last time.Time
	if req.Cursor == nil {
		// First start: begin now, emit nothing from the past.
		return req.Emit(ctx, nil, mustJSON(now))
	}
	if err := json.Unmarshal(req.Cursor, &last); err != nil {
		return connector.Errorf(connector.Invalid, "cron cursor: %v", err)
	}
	due := latestDue(sched, last.In(loc), now)
	if due.IsZero() {
		return nil
	}
	ts := due.UTC().Format(time.RFC3339)
	payload, _ := json.Marshal(map[string]string{"time": ts})
	ev := connector.Event{ID: ts, Type: "schedule.cron", Time: due, Payload: payload}
	return req.Emit(ctx, []connector.Event{ev}, mustJSON(due))
}

// latestDue returns the last scheduled time in (last, now], or zero. It
// looks back from now over a window that doubles, so that catching up after
// a long stop costs a few steps, not one per missed run (a month of
// "@every 1s" is 2.6 million).
func latestDue(sched cron.Schedule, last, now time.Time) time.Time {
	for w := time.Minute; ; w *= 2 {
		from := now.Add(-w)
		if !from.After(last) {
			from = last
		}
		var due time.Time
		for t := sched.Next(from); !t.IsZero() && !t.After(now); t = sched.Next(t) {
			due = t
		}
		if !due.IsZero() || from.Equal(last) {
			return due
		}
	}
}

func mustJSON(t time.Time) []byte {
	b, _ := json.Marshal(t)
	return b
}
