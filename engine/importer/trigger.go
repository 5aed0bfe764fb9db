package importer

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// oktaEvents maps Okta event cards to the event types of okta.event_hook.
var oktaEvents = map[string]string{
	"userCreated":                          "user.lifecycle.create",
	"userActivated":                        "user.lifecycle.activate",
	"userDeactivated":                      "user.lifecycle.deactivate",
	"userReactivated":                      "user.lifecycle.reactivate",
	"userSuspended":                        "user.lifecycle.suspend",
	"userUnsuspended":                      "user.lifecycle.unsuspend",
	"userDeleted":                          "user.lifecycle.delete.initiated",
	"oktaUserProfileUpdated":               "user.account.update_profile",
	"oktaUserPasswordUpdated":              "user.account.update_password",
	"userAccountLocked":                    "user.account.lock",
	"userAddedToGroupMembership":           "group.user_membership.add",
	"userRemovedFromGroupMembership":       "group.user_membership.remove",
	"userAddedToApplicationMembership":     "application.user_membership.add",
	"userRemovedFromApplicationMembership": "application.user_membership.remove",
	"groupCreated":                         "group.lifecycle.create",
	"groupDeleted":                         "group.lifecycle.delete",
	"groupProfileUpdated":                  "group.profile.update",
	"userMFAFactorActivated":               "user.mfa.factor.activate",
	"userMFAFactorDeactivated":             "user.mfa.factor.deactivate",
	"userMFAFactorResetAll":                "user.mfa.factor.reset_all",
	"userSessionStart":                     "user.session.start",
	"userSessionEnd":                       "user.session.end",
	"userSessionCleared":                   "user.session.clear",
	// List-shaped cards; their own fields are in eventCardFields.
	"accessCertificationDecisionSubmitted": "certification.campaign.item.decide",
	"userReportedSuspiciousActivityBeta":   "user.account.report_suspicious_activity_by_enduser",
}

// eventTypeInComment is the event type Okta Workflows writes at the end of
// an event card's description: "Starts flow when … (group.lifecycle.delete)".
var eventTypeInComment = regexp.MustCompile(`\(([a-z0-9_]+(?:\.[a-z0-9_]+)+)\)\s*$`)

// isOktaEvent reports whether m is an Okta event card.
func isOktaEvent(m *Method) bool {
	return m.Module == "okta" && (oktaEvents[m.Key] != "" || m.Webhook)
}

// eventTypeOf returns the Okta event type an Okta event card starts its
// flow on: from oktaEvents, else from the card's description; "" when
// neither says.
func eventTypeOf(m *Method) string {
	if t := oktaEvents[m.Key]; t != "" {
		return t
	}
	if sm := eventTypeInComment.FindStringSubmatch(m.Comments); sm != nil {
		return sm[1]
	}
	return ""
}

// hookRefuses returns why okta.event_hook does not take event type t (its
// event_types check: Okta does not deliver it to event hooks), or nil.
func (fc *flowConv) hookRefuses(t string) error {
	if fc.im.reg == nil {
		return nil
	}
	_, tr, err := fc.im.reg.Trigger("okta.event_hook")
	if err != nil {
		return err
	}
	for _, a := range tr.Config {
		if a.Name == "event_types" && a.Check != nil {
			return a.Check(cty.ListVal([]cty.Value{cty.StringVal(t)}))
		}
	}
	return nil
}

// eventPlaceholderNote says why an Okta event card did not become an
// okta.event_hook trigger and what to write instead.
func (fc *flowConv) eventPlaceholderNote(m *Method) string {
	t := eventTypeOf(m)
	if t == "" {
		return fmt.Sprintf("the Okta event card %q does not say which event type starts it; look the card up in Okta's event types, then replace this card by a trigger \"okta.event_hook\" block with that type in event_types (and read the event as trigger.event).", m.Key)
	}
	err := fc.hookRefuses(t)
	if err == nil {
		err = fmt.Errorf("the flow has a trigger already")
	}
	return fmt.Sprintf("the Okta event card %q starts the flow on %s, which okta.event_hook does not take: %v. Replace this card by a trigger \"okta.system_log\" block with event_types = [%q], which polls the System Log for it, and read the event as trigger.event.", m.Key, t, err, t)
}

// eventPaths maps the fields of an Okta Workflows event card's objects to
// the System Log event cardflow hands over as trigger.event, for the Expand
// cards that unfold them (events.go maps the card's own outputs).
var eventPaths = map[string]string{
	"Okta User":         "target[0]",
	"User":              "target[0]",
	"Actor":             "actor",
	"Admin":             "actor",
	"Client":            "client",
	"ID":                "id",
	"Alternate ID":      "alternateId",
	"Display Name":      "displayName",
	"Type":              "type",
	"Event ID":          "uuid",
	"UUID":              "uuid",
	"Event Type":        "eventType",
	"Date and Time":     "published",
	"Published":         "published",
	"Message":           "displayMessage",
	"Display Message":   "displayMessage",
	"Outcome":           "outcome",
	"Debug Context":     "debugContext",
	"Target":            "target",
	"Okta Group":        "target[1]",
	"Group":             "target[1]",
	"Application":       "target[0]",
	"IP Address":        "client.ipAddress",
	"Severity":          "severity",
	"Transaction":       "transaction",
	"Legacy Event Type": "legacyEventType",
}

// trigger converts the flow's first card into its trigger block.
func (fc *flowConv) trigger(m *Method) (as, note string, ok bool) {
	t := &block{kind: "trigger"}
	switch {
	case m.Module == "http" && m.Key == "accept":
		t.label = "http.endpoint"
		t.set("token", fmt.Sprintf("env(%q)", strings.ToUpper(fc.out.name)+"_CLIENT_TOKEN"))
		for _, o := range m.Outputs {
			switch {
			case o.Group == "raw" || o.Group == "":
				fc.setOutput(m, o, attrPath("trigger", o.Key))
			case o.Group == "context":
				fc.setOutput(m, o, "null")
			default:
				fc.setOutput(m, o, attrPath(attrPath("trigger", o.Group), o.Key))
			}
		}
		note = "callers POST to /flows/" + fc.out.name + "/invoke with the client token in the x-api-client-token header (Okta Workflows' invoke URL and its clientToken change)."
		if paths := sensitiveBody(m); len(paths) > 0 {
			// A password import hook posts the user's password: it must
			// never be stored with the event.
			t.set("sensitive", quotedList(paths))
		}
	case m.Module == "http" && m.Key == "delegated":
		// A delegated flow is run by a person from the Okta Admin Console
		// with the inputs it asks for: an endpoint flow they can POST to.
		t.label = "http.endpoint"
		t.set("token", fmt.Sprintf("env(%q)", strings.ToUpper(fc.out.name)+"_CLIENT_TOKEN"))
		for _, o := range m.Outputs {
			if o.Group == "context" {
				fc.setOutput(m, o, "null")
			} else {
				fc.setOutput(m, o, attrPath("trigger.body", o.Key))
			}
		}
		note = "a delegated flow: whoever ran it from the Admin Console now POSTs its inputs as JSON to /flows/" + fc.out.name + "/invoke."
	case m.Module == "control" && m.Key == "callable":
		t.label = "flow.called"
		for _, o := range m.Outputs {
			switch {
			case o.Group != "context":
				fc.setOutput(m, o, attrPath("trigger.input", o.Key))
			case o.Key == "execution_id":
				fc.setOutput(m, o, "trigger.caller.execution_id")
			default:
				fc.setOutput(m, o, attrPath("trigger.input", o.Key))
			}
		}
	case isOktaEvent(m):
		et := eventTypeOf(m)
		if et == "" || fc.hookRefuses(et) != nil {
			return "", "", false
		}
		t.label = "okta.event_hook"
		fc.eventCard = m.Key
		conn := fc.im.connection("okta", m.Config)
		fc.im.conns["okta/"+m.Config].eventHook = true
		t.set("connection", conn)
		t.set("event_types", fmt.Sprintf("[%q]", et))
		for _, o := range m.Outputs {
			fc.setOutput(m, o, fc.eventOutput(o))
		}
		note = strings.TrimSpace("register an Okta event hook for " + et + " to /hooks/okta/" + strings.TrimPrefix(conn, "connection.okta.") + " (or poll with okta.system_log). " + eventCardNotes[m.Key])
	default:
		return "", "", false
	}
	if m.Comments != "" {
		t.comments = append(t.comments, m.Comments)
	}
	fc.out.trigger = t
	return "trigger", note, true
}

// scheduleTrigger is the trigger of a scheduled flow: Okta Workflows keeps
// its schedule on the flow, not on a card.
func scheduleTrigger(cron map[string]any) *block {
	field := func(k, def string) string {
		if s, ok := cron[k].(string); ok && s != "" {
			return s
		}
		return def
	}
	dom := field("dayOfTheMonth", "*")
	if dom == "*/1" {
		dom = "*"
	}
	month := field("month", "*")
	if month == "*/1" {
		month = "*"
	}
	expr := strings.Join([]string{field("minutes", "0"), field("hours", "*"), dom, month, field("dayOfTheWeek", "*")}, " ")
	t := &block{kind: "trigger", label: "schedule.cron"}
	t.set("cron", literal(expr))
	if tz := field("timeZone", ""); tz != "" {
		t.set("timezone", literal(tz))
	}
	return t
}
