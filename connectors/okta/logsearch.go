package okta

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

const (
	defaultLogSearchLimit = 100
	logPageMax            = 1000
)

func searchSystemLogAction() *connector.Action {
	return connector.NewAction(Name, connector.Action{
		Name: "search_system_log",
		Doc: "Searches the System Log (GET /api/v1/logs) between since and until with a SCIM filter and/or keywords, " +
			"following pages up to limit. Okta keeps 90 days of events.",
		Effect: connector.Read,
		Input: connector.Schema{
			{Name: "filter", Type: cty.String, Check: checkLogFilter,
				Doc: "A SCIM filter, e.g. eventType eq \"user.lifecycle.create\" and target.id eq \"00u…\" (not on published)."},
			{Name: "query", Type: cty.String, Doc: "Keywords (Okta's q): every one must match, at most 10 of 40 characters each."},
			{Name: "since", Type: cty.String, Check: checkLogTime,
				Doc: "The earliest published time, RFC 3339 (e.g. 2026-01-31T00:00:00Z) or a Go duration before now (e.g. 24h). Default 7 days before until."},
			{Name: "until", Type: cty.String, Check: checkLogTime, Doc: "The latest published time, like since. Default now."},
			{Name: "sort_order", Type: cty.String, Default: cty.StringVal("ASCENDING"), Check: checkSortOrder,
				Doc: "ASCENDING (oldest first) or DESCENDING (newest first)."},
			limitAttr("events", defaultLogSearchLimit),
		},
		Output: searchLogOutput,
	}, searchSystemLog)
}

func searchSystemLog(ctx context.Context, c *Client, call *connector.Call) (any, error) {
	limit, err := listLimit(call.Input, defaultLogSearchLimit)
	if err != nil {
		return nil, err
	}
	params := optParams(call.Input, map[string]string{"filter": "filter", "query": "q"})
	for _, name := range []string{"since", "until"} {
		if s := call.Input.String(name); s != "" {
			t, err := parseLogTime(s, time.Now())
			if err != nil {
				return nil, invalidf("%s: %v", name, err)
			}
			params.Set(name, t.UTC().Format("2006-01-02T15:04:05.000Z"))
		}
	}
	order := call.Input.String("sort_order")
	if order == "" {
		order = "ASCENDING"
	}
	if err := validSortOrder(order); err != nil {
		return nil, invalidf("%v", err)
	}
	params.Set("sortOrder", order)
	raws, err := listAll[json.RawMessage](ctx, c, listPath(logsPath, params, limit, logPageMax), limit)
	if err != nil {
		return nil, err
	}
	events := make([]any, 0, len(raws))
	for _, raw := range raws {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var ev map[string]any
		if err := dec.Decode(&ev); err != nil {
			return nil, &connector.Error{Kind: connector.Other, Message: "a System Log event is not a JSON object", Err: err}
		}
		events = append(events, ev)
	}
	return map[string]any{"events": events, "count": len(events)}, nil
}

// parseLogTime reads an RFC 3339 time or a duration before now.
func parseLogTime(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2026-01-31T00:00:00Z) nor a duration (24h)", s)
}

func checkLogTime(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	_, err := parseLogTime(v.AsString(), time.Now())
	return err
}

func validSortOrder(s string) error {
	if s != "ASCENDING" && s != "DESCENDING" {
		return fmt.Errorf("sort_order %q is not ASCENDING or DESCENDING", s)
	}
	return nil
}

func checkSortOrder(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	return validSortOrder(v.AsString())
}
