package emulator

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// LogEvent is a System Log event with the fields Okta sends (see
// connectors/okta/testdata). Fields Okta fills with null here stay null.
type LogEvent struct {
	UUID                  string                   `json:"uuid"`
	Published             Time                     `json:"published"`
	EventType             string                   `json:"eventType"`
	Version               string                   `json:"version"`
	DisplayMessage        string                   `json:"displayMessage"`
	Severity              string                   `json:"severity"`
	Client                LogClient                `json:"client"`
	Device                any                      `json:"device"`
	Actor                 LogActor                 `json:"actor"`
	Outcome               LogOutcome               `json:"outcome"`
	Target                []LogActor               `json:"target"`
	Transaction           LogTransaction           `json:"transaction"`
	DebugContext          LogDebugContext          `json:"debugContext"`
	LegacyEventType       *string                  `json:"legacyEventType"`
	AuthenticationContext LogAuthenticationContext `json:"authenticationContext"`
	SecurityContext       LogSecurityContext       `json:"securityContext"`
	InsertionTimestamp    *string                  `json:"insertionTimestamp"`

	seq int64
}

// LogClient is the client block of a LogEvent.
type LogClient struct {
	UserAgent           LogUserAgent `json:"userAgent"`
	Zone                string       `json:"zone"`
	Device              string       `json:"device"`
	ID                  *string      `json:"id"`
	IPAddress           string       `json:"ipAddress"`
	GeographicalContext any          `json:"geographicalContext"`
}

// LogUserAgent is the client's user agent.
type LogUserAgent struct {
	RawUserAgent string `json:"rawUserAgent"`
	OS           string `json:"os"`
	Browser      string `json:"browser"`
}

// LogActor is an actor or a target of a LogEvent.
type LogActor struct {
	ID          string         `json:"id"`
	Type        string         `json:"type"`
	AlternateID string         `json:"alternateId"`
	DisplayName string         `json:"displayName"`
	DetailEntry map[string]any `json:"detailEntry"`
}

// LogOutcome is the outcome of a LogEvent.
type LogOutcome struct {
	Result string  `json:"result"`
	Reason *string `json:"reason"`
}

// LogTransaction ties the events of one request together.
type LogTransaction struct {
	Type   string         `json:"type"`
	ID     string         `json:"id"`
	Detail map[string]any `json:"detail"`
}

// LogDebugContext carries the request id and URL.
type LogDebugContext struct {
	DebugData map[string]any `json:"debugData"`
}

// LogAuthenticationContext is mostly null for API-token calls.
type LogAuthenticationContext struct {
	AuthenticationProvider *string `json:"authenticationProvider"`
	CredentialProvider     *string `json:"credentialProvider"`
	CredentialType         *string `json:"credentialType"`
	Issuer                 any     `json:"issuer"`
	Interface              *string `json:"interface"`
	AuthenticationStep     int     `json:"authenticationStep"`
	ExternalSessionID      string  `json:"externalSessionId"`
}

// LogSecurityContext is all null in the emulator.
type LogSecurityContext struct {
	AsNumber *int    `json:"asNumber"`
	AsOrg    *string `json:"asOrg"`
	ISP      *string `json:"isp"`
	Domain   *string `json:"domain"`
	IsProxy  *bool   `json:"isProxy"`
}

// eventInfo maps event types to displayMessage and legacyEventType.
var eventInfo = map[string][2]string{
	"user.lifecycle.create":              {"Create Okta user", "core.user.config.user_creation.success"},
	"user.lifecycle.activate":            {"Activate Okta user", "core.user.config.user_activated"},
	"user.lifecycle.deactivate":          {"Deactivate Okta user", "core.user.config.user_deactivated"},
	"user.lifecycle.suspend":             {"Suspend Okta user", "core.user.config.user_suspended"},
	"user.lifecycle.unsuspend":           {"Unsuspend Okta user", "core.user.config.user_unsuspended"},
	"user.lifecycle.reactivate":          {"Reactivate Okta user", "core.user.config.user_reactivated"},
	"user.lifecycle.delete.initiated":    {"Delete Okta user initiated", "core.user.config.user_deleted"},
	"user.account.update_profile":        {"Update user profile for Okta", "core.user.config.profile_update.success"},
	"group.lifecycle.create":             {"Create okta user group", "core.user_group.created"},
	"group.lifecycle.delete":             {"Delete okta user group", "core.user_group.deleted"},
	"group.profile.update":               {"Update group profile", ""},
	"group.user_membership.add":          {"Add user to group membership", "core.user_group_member.user_add"},
	"group.user_membership.remove":       {"Remove user from group membership", "core.user_group_member.user_remove"},
	"application.lifecycle.create":       {"Create application", "app.generic.config.app_created"},
	"application.lifecycle.activate":     {"Activate application", "app.generic.config.app_activated"},
	"application.lifecycle.deactivate":   {"Deactivate application", "app.generic.config.app_deactivated"},
	"application.lifecycle.delete":       {"Delete application", "app.generic.config.app_deleted"},
	"application.user_membership.add":    {"Add user to application membership", "app.generic.provision.assign_user_to_app"},
	"application.user_membership.remove": {"Remove user from application membership", "app.generic.unprovision.user_removed_from_app"},
	"event_hook.created":                 {"Event hook created", ""},
	"event_hook.activated":               {"Event hook activated", ""},
	"event_hook.deactivated":             {"Event hook deactivated", ""},
	"event_hook.verified":                {"Event hook verified", ""},
	"event_hook.deleted":                 {"Event hook deleted", ""},
	"event_hook.delivery":                {"Event hook delivery failed", ""},
}

var adminActor = LogActor{ID: "00u1adm1nEmu1at0r0h7", Type: "User",
	AlternateID: "admin@okta.emulator", DisplayName: "Okta Emulator Admin"}

// emitLocked appends one event to the System Log and queues its event-hook
// deliveries. The caller holds e.mu.
func (e *Emulator) emitLocked(c *callCtx, eventType string, targets ...LogActor) *LogEvent {
	if e.quiet {
		return nil
	}
	info := eventInfo[eventType]
	ev := &LogEvent{
		UUID: e.ids.uuid(), Published: oktaTime(e.stamp()), EventType: eventType, Version: "0",
		DisplayMessage: info[0], Severity: "INFO",
		Client: LogClient{
			UserAgent: LogUserAgent{RawUserAgent: c.userAgent, OS: "Unknown", Browser: "UNKNOWN"},
			Zone:      "null", Device: "Unknown", IPAddress: c.ip,
		},
		Actor:       adminActor,
		Outcome:     LogOutcome{Result: "SUCCESS"},
		Target:      append([]LogActor{}, targets...),
		Transaction: LogTransaction{Type: "WEB", ID: c.requestID, Detail: map[string]any{}},
		DebugContext: LogDebugContext{DebugData: map[string]any{
			"requestId": c.requestID, "requestUri": c.uri, "url": c.url}},
		AuthenticationContext: LogAuthenticationContext{ExternalSessionID: "trs" + c.requestID[:17]},
	}
	if info[1] != "" {
		legacy := info[1]
		ev.LegacyEventType = &legacy
	}
	if eventType == "event_hook.delivery" {
		ev.Severity = "WARN"
		ev.Outcome.Result = "FAILURE"
	}
	ev.seq = int64(len(e.events)) + 1
	e.events = append(e.events, ev)
	e.enqueueLocked(ev, c.base)
	return ev
}

// LogEvents returns a copy of the System Log in insertion order.
func (e *Emulator) LogEvents() []LogEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]LogEvent, len(e.events))
	for i, ev := range e.events {
		out[i] = *ev
	}
	return out
}

func logAttr(ev *LogEvent) attrFunc {
	return func(attr string) []string {
		switch attr {
		case "eventType":
			return []string{ev.EventType}
		case "uuid":
			return []string{ev.UUID}
		case "severity":
			return []string{ev.Severity}
		case "displayMessage":
			return []string{ev.DisplayMessage}
		case "outcome.result":
			return []string{ev.Outcome.Result}
		case "transaction.id":
			return []string{ev.Transaction.ID}
		case "client.ipAddress":
			return []string{ev.Client.IPAddress}
		case "legacyEventType":
			if ev.LegacyEventType != nil {
				return []string{*ev.LegacyEventType}
			}
			return nil
		}
		if f, ok := strings.CutPrefix(attr, "actor."); ok {
			return []string{actorField(ev.Actor, f)}
		}
		if f, ok := strings.CutPrefix(attr, "target."); ok {
			var vals []string
			for _, t := range ev.Target {
				vals = append(vals, actorField(t, f))
			}
			return vals
		}
		return nil
	}
}

func actorField(a LogActor, f string) string {
	switch f {
	case "id":
		return a.ID
	case "type":
		return a.Type
	case "alternateId":
		return a.AlternateID
	case "displayName":
		return a.DisplayName
	}
	return ""
}

func logAttrAllowed(attr string) bool {
	if attr == "published" {
		return false
	}
	return logAttr(&LogEvent{Target: []LogActor{{}}})(attr) != nil
}

// maxSinceAge is how far back a System Log query may start: Okta answers
// 400 E0000053 to a since more than 180 days ago (its retention is 90
// days; a since between the two gives what the log still holds).
const maxSinceAge = 180 * 24 * time.Hour

func sinceTooOld() *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "E0000053", Summary: "Invalid SCIM filter.",
		Causes: []string{"since: The since parameter may be at most 180 days before the current time"}}
}

// logQuery is a parsed GET /api/v1/logs request.
type logQuery struct {
	since, until time.Time
	bounded      bool // until given: finite pages ordered by published
	descending   bool
	after        string
	limit        int
	filter       expr
	keywords     []string
}

func (e *Emulator) parseLogQuery(q url.Values) (*logQuery, *apiError) {
	lq := &logQuery{until: e.now(), after: q.Get("after")}
	var ae *apiError
	if lq.limit, ae = limitParam(q, 100, 1000); ae != nil {
		return nil, ae
	}
	if s := q.Get("until"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, validation("until", "The date format in your query is not recognized. Please enter dates using ISO8601 string format.")
		}
		lq.until, lq.bounded = t, true
	}
	lq.since = lq.until.Add(-7 * 24 * time.Hour)
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, validation("since", "The date format in your query is not recognized. Please enter dates using ISO8601 string format.")
		}
		lq.since = t
		// A next link carries the first request's since along with after,
		// which wins: only a query that starts at since is refused.
		if lq.after == "" && t.Before(e.now().Add(-maxSinceAge)) {
			return nil, sinceTooOld()
		}
	}
	lq.descending = strings.EqualFold(q.Get("sortOrder"), "DESCENDING")
	if s := q.Get("filter"); s != "" {
		f, err := parseFilter(s, grammar{allowed: anyAttr(logAttrAllowed)})
		if err != nil {
			return nil, invalidSCIM(err)
		}
		lq.filter = f
	}
	lq.keywords = strings.Fields(strings.ToLower(q.Get("q")))
	if len(lq.keywords) > 10 {
		return nil, validation("q", "At most 10 keywords are allowed")
	}
	for _, k := range lq.keywords {
		if len(k) > 40 {
			return nil, validation("q", "A keyword may be at most 40 characters long")
		}
	}
	return lq, nil
}

func (lq *logQuery) matches(ev *LogEvent) bool {
	if lq.filter != nil && !lq.filter.match(logAttr(ev)) {
		return false
	}
	if len(lq.keywords) == 0 {
		return true
	}
	text := strings.ToLower(strings.Join([]string{ev.EventType, ev.DisplayMessage, ev.Actor.ID,
		ev.Actor.AlternateID, ev.Actor.DisplayName}, " "))
	for _, t := range ev.Target {
		text += " " + strings.ToLower(t.ID+" "+t.AlternateID+" "+t.DisplayName)
	}
	for _, k := range lq.keywords {
		if !strings.Contains(text, k) {
			return false
		}
	}
	return true
}

func (e *Emulator) handleListLogs(w http.ResponseWriter, r *http.Request) {
	c := e.httpCall(w, r)
	lq, ae := e.parseLogQuery(r.URL.Query())
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	var (
		page []LogEvent
		next string
	)
	if lq.bounded || lq.descending {
		page, next, ae = e.boundedLogs(lq)
	} else {
		page, next, ae = e.pollLogs(lq)
	}
	if ae != nil {
		e.writeError(w, ae)
		return
	}
	writePage(w, c, r, next, page)
}

// pollLogs serves a polling request: insertion order and a next link on
// every page, empty or not, whose cursor marks how far the log was read.
func (e *Emulator) pollLogs(lq *logQuery) ([]LogEvent, string, *apiError) {
	var start int64
	if lq.after != "" {
		n, err := decodeCursor("log", lq.after)
		if err != nil {
			return nil, "", validation("after", "The after cursor is not valid: "+lq.after)
		}
		start = n
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []LogEvent{}
	read := int64(len(e.events))
	for _, ev := range e.events[min(start, read):] {
		if lq.after == "" && ev.Published.Before(lq.since) {
			continue
		}
		if !lq.matches(ev) {
			continue
		}
		if len(out) == lq.limit {
			read = out[len(out)-1].seq
			break
		}
		out = append(out, *ev)
	}
	return out, encodeCursor("log", read), nil
}

// boundedLogs serves since+until or DESCENDING requests: ordered by
// published, finite pages, cursor = offset into the result.
func (e *Emulator) boundedLogs(lq *logQuery) ([]LogEvent, string, *apiError) {
	var offset int64
	if lq.after != "" {
		n, err := decodeCursor("logb", lq.after)
		if err != nil {
			return nil, "", validation("after", "The after cursor is not valid: "+lq.after)
		}
		offset = n
	}
	e.mu.Lock()
	var all []LogEvent
	for _, ev := range e.events {
		if !ev.Published.Before(lq.since) && ev.Published.Before(lq.until) && lq.matches(ev) {
			all = append(all, *ev)
		}
	}
	e.mu.Unlock()
	// Ordered by published; events of the same millisecond keep insertion
	// order (reversed for DESCENDING).
	slices.SortFunc(all, func(a, b LogEvent) int {
		c := cmp.Or(a.Published.Compare(b.Published.Time), cmp.Compare(a.seq, b.seq))
		if lq.descending {
			return -c
		}
		return c
	})
	if offset > int64(len(all)) {
		offset = int64(len(all))
	}
	end := min(offset+int64(lq.limit), int64(len(all)))
	page := append([]LogEvent{}, all[offset:end]...)
	if end < int64(len(all)) {
		return page, encodeCursor("logb", end), nil
	}
	return page, "", nil
}
