package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

const (
	systemLogOp       = "okta.system_log"
	logsPath          = "/api/v1/logs"
	defaultLogLimit   = 100
	maxLogLimit       = 1000
	maxBackfill       = 90 * 24 * time.Hour // System Log retention
	maxPagesPerTick   = 20
	oktaTimeLayout    = "2006-01-02T15:04:05.000Z"
	systemLogTrigName = "system_log"
)

func systemLogTrigger() *connector.Trigger {
	return &connector.Trigger{
		Name: systemLogTrigName,
		Doc: "Polls the System Log (GET /api/v1/logs) for events of event_types, for orgs that cannot " +
			"reach cardflow with event hooks. The cursor is Okta's own next link, so a poller stopped " +
			"and restarted misses nothing and repeats nothing. trigger.* has the shape of okta.event_hook's.",
		Mode: connector.Poll,
		Config: connector.Schema{
			eventTypesAttr(false),
			{Name: "log_filter", Type: cty.String, Check: checkLogFilter,
				Doc: "A SCIM filter ANDed with the event types, e.g. target.id eq \"00u…\" (not on published)."},
			{Name: "backfill", Type: cty.String, Check: checkBackfill,
				Doc: "On the very first start, begin this long ago (a Go duration, at most 2160h) instead of now."},
			{Name: "limit", Type: cty.Number, Default: cty.NumberIntVal(defaultLogLimit), Check: checkLogLimit,
				Doc: "Events per page (1–1000)."},
		},
		Output:      eventOutput,
		OutputFor:   eventOutputFor,
		LintCompare: lintEventTypeCompare,
		Poll:        pollSystemLog,
		// The poll asks Okta for event_types only; Accept and TypeOf let
		// dry runs and flow tests refuse the events it never sees.
		Accept: acceptEventTypes,
		TypeOf: eventTypeOf,
		// One request a minute when idle: 1/120 of the logs bucket, and
		// onboarding flows start within a minute of the event.
		DefaultEvery: time.Minute,
	}
}

// pollSystemLog follows the System Log's rel="next" links from the stored
// cursor, emitting each page with the link that follows it, and stops at
// the first empty page: a polling query always has a next link.
func pollSystemLog(ctx context.Context, req *connector.PollRequest) error {
	c, ok := req.Client.(*Client)
	if !ok || c == nil {
		return &connector.Error{Kind: connector.Invalid, Op: systemLogOp, Message: "the trigger needs an okta connection"}
	}
	cfg, _ := req.Config.UnmarkDeep()
	req = &connector.PollRequest{Client: req.Client, Config: cfg, Cursor: req.Cursor, Emit: req.Emit, Now: req.Now}
	cursor, err := startCursor(req)
	if err != nil {
		return connector.WithOp(systemLogOp, err)
	}
	types := connector.Strings(req.Config, "event_types")
	fresh := req.Cursor == nil
	for range maxPagesPerTick {
		raws, next, err := c.fetchLogs(ctx, cursor)
		if err != nil {
			return connector.WithOp(systemLogOp, err)
		}
		if next == "" {
			next = cursor // not a polling answer; keep our place, dedup absorbs repeats
		}
		events := c.logEvents(raws, types)
		if len(raws) > 0 || next != cursor || fresh {
			if err := req.Emit(ctx, events, []byte(next)); err != nil {
				return err
			}
		}
		fresh = false
		if len(raws) == 0 || next == cursor {
			return nil
		}
		cursor = next
	}
	return nil
}

// startCursor is the stored next link, or on the first start a query
// beginning now (or now - backfill).
func startCursor(req *connector.PollRequest) (string, error) {
	if len(req.Cursor) > 0 {
		return parseLogsCursor(string(req.Cursor))
	}
	now := time.Now
	if req.Now != nil {
		now = req.Now
	}
	start := now()
	if b := connector.String(req.Config, "backfill"); b != "" {
		d, err := parseBackfill(b)
		if err != nil {
			return "", invalidf("backfill: %v", err)
		}
		start = start.Add(-d)
	}
	limit := connector.Int(req.Config, "limit", defaultLogLimit)
	if limit < 1 || limit > maxLogLimit {
		return "", invalidf("limit must be between 1 and %d", maxLogLimit)
	}
	q := url.Values{
		"since":     {start.UTC().Format(oktaTimeLayout)},
		"sortOrder": {"ASCENDING"},
		"limit":     {strconv.Itoa(limit)},
		"filter":    {logsFilter(connector.Strings(req.Config, "event_types"), connector.String(req.Config, "log_filter"))},
	}
	return logsPath + "?" + q.Encode(), nil
}

// logsFilter is `eventType eq "a" or eventType eq "b"`, ANDed with extra.
func logsFilter(types []string, extra string) string {
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = "eventType eq " + scimString(t)
	}
	f := strings.Join(parts, " or ")
	if extra = strings.TrimSpace(extra); extra != "" {
		if len(parts) > 1 {
			f = "(" + f + ")"
		}
		f += " and (" + extra + ")"
	}
	return f
}

// parseLogsCursor accepts a stored next link: a path below the org URL
// (what the SDK reports) or a full URL, whose host is dropped.
func parseLogsCursor(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Path != logsPath {
		return "", &connector.Error{Kind: connector.Invalid, Message: fmt.Sprintf("stored cursor %q is not a System Log link", s)}
	}
	return u.RequestURI(), nil
}

// fetchLogs GETs one page through the SDK's request executor and returns
// the events undecoded with the page's next link.
func (c *Client) fetchLogs(ctx context.Context, path string) ([]json.RawMessage, string, error) {
	var raws []json.RawMessage
	next, err := c.getPage(ctx, path, &raws)
	if err != nil {
		return nil, "", err
	}
	return raws, next, nil
}

// logEvents turns a page into events of the wanted types. The server
// filters already; this guards against a server that ignores the filter.
// An element without a uuid cannot be deduplicated and is skipped rather
// than failing every later tick on the same page.
func (c *Client) logEvents(raws []json.RawMessage, types []string) []connector.Event {
	source := c.orgURL + logsPath
	events := make([]connector.Event, 0, len(raws))
	for _, raw := range raws {
		ev, target, err := readEventHead(raw)
		if err != nil || !slices.Contains(types, ev.Type) {
			continue
		}
		var at *string
		if !ev.Time.IsZero() {
			s := ev.Time.UTC().Format(time.RFC3339Nano)
			at = &s
		}
		d, _ := json.Marshal(delivery{Source: &source, EventTime: at})
		ev.Payload = wrapEvent(ev.Payload, target, d)
		events = append(events, ev)
	}
	return events
}

func parseBackfill(s string) (time.Duration, error) {
	d, err := parseDuration(s)
	if err != nil {
		return 0, err
	}
	if d > maxBackfill {
		return 0, errors.New("backfill is longer than the System Log's 90-day retention (2160h)")
	}
	return d, nil
}

func checkBackfill(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	_, err := parseBackfill(v.AsString())
	return err
}

func checkLogLimit(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	if n, _ := v.AsBigFloat().Int64(); n < 1 || n > maxLogLimit {
		return fmt.Errorf("limit must be between 1 and %d", maxLogLimit)
	}
	return nil
}

func checkLogFilter(v cty.Value) error {
	v, ok := checkable(v)
	if !ok {
		return nil
	}
	if strings.Contains(v.AsString(), "published") {
		return errors.New("the System Log does not filter on published: use backfill to choose where polling starts")
	}
	return nil
}
