package importer_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// membershipDelivery is an Okta event hook delivery of two group
// membership events, as Okta POSTs it: target lists the user, then the
// group.
const membershipDelivery = `{
  "eventType": "com.okta.event_hook", "eventTypeVersion": "1.0", "cloudEventsVersion": "0.1",
  "source": "https://acme.okta.com/api/v1/eventHooks/who1", "eventId": "delivery-1",
  "eventTime": "2026-11-28T09:14:04.002Z", "contentType": "application/json",
  "data": { "events": [
    { "uuid": "e1", "published": "2026-11-28T09:14:03.118Z", "eventType": "group.user_membership.add", "version": "0",
      "displayMessage": "Add user to group membership", "severity": "INFO",
      "actor": { "id": "00uadmin", "type": "User", "alternateId": "admin@acme.example", "displayName": "Ingrid Admin" },
      "target": [ { "id": "00u1", "type": "User", "alternateId": "kari@acme.example", "displayName": "Kari" },
                  { "id": "00g1", "type": "UserGroup", "alternateId": "unknown", "displayName": "Contractors" } ],
      "outcome": { "result": "SUCCESS" }, "debugContext": { "debugData": { "requestId": "r1" } } },
    { "uuid": "e2", "published": "2026-11-28T09:14:03.500Z", "eventType": "group.user_membership.add", "version": "0",
      "displayMessage": "Add user to group membership", "severity": "INFO",
      "actor": { "id": "00uadmin", "type": "User", "alternateId": "admin@acme.example", "displayName": "Ingrid Admin" },
      "target": [ { "id": "00u2", "type": "User", "alternateId": "ola@acme.example", "displayName": "Ola" },
                  { "id": "00g2", "type": "UserGroup", "alternateId": "unknown", "displayName": "Vendors" } ],
      "outcome": { "result": "SUCCESS" } }
  ] }
}`

// TestEventListShapes: Okta's newer event cards hand the flow a list of
// events, which it runs a For Each – Ignore Errors over; older ones hand
// over one event. cardflow starts one execution per event: the For Each
// becomes one call of its helper with that event's fields, by the names
// the helper reads, and both shapes act on each event of a delivery.
func TestEventListShapes(t *testing.T) {
	res := importFile(t, "event-list.flopack")
	data, err := os.ReadFile("testdata/import/event-list.flopack")
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "event-list", res)
	checkEveryCard(t, "event-list", data, res)
	list := string(res.Files["member_added.hcl"])
	for _, want := range []string{
		`"Okta User"     = { "Alternate ID" = trigger.event.target[0].alternateId, "Display Name" = trigger.event.target[0].displayName, ID = trigger.event.target[0].id, Type = trigger.event.target[0].type }`,
		`Group           = { "Alternate ID" = trigger.group.alternateId,`,
		`"Date and Time" = trigger.event.published`,
		"on_error = continue",
	} {
		if !strings.Contains(list, want) {
			t.Errorf("member_added.hcl lacks %s:\n%s", want, list)
		}
	}
	if regexp.MustCompile(`for_each\s+=`).MatchString(list) || strings.Contains(list, "each.value") {
		t.Errorf("member_added.hcl still iterates over the event:\n%s", list)
	}
	single := string(res.Files["member_added_single.hcl"])
	for _, want := range []string{"group      = trigger.group.id", "admin   = trigger.event.actor.alternateId", "details = trigger.event\n"} {
		if !strings.Contains(single, want) {
			t.Errorf("member_added_single.hcl lacks %s:\n%s", want, single)
		}
	}
	res.Files["delivery.json"] = []byte(membershipDelivery)
	runImported(t, res, `
run "a list-shaped event card acts on every event of a delivery" {
  flow         = flow.member_added
  trigger_file = "delivery.json"
  mock "okta.remove_user_from_group" { output = { changed = true } }
  expect_call "okta.remove_user_from_group" {
    with  = { user = "00u1", group = "00g1" }
    count = 1
  }
  expect_call "okta.remove_user_from_group" {
    with  = { user = "00u2", group = "00g2" }
    count = 1
  }
  expect_call "card.for_each_ignore_errors" {
    with = { input = {
      "Date and Time" = "2026-11-28T09:14:03.500Z"
      "Okta User"     = { ID = "00u2", "Alternate ID" = "ola@acme.example", "Display Name" = "Ola", Type = "User" }
      Group           = { ID = "00g2", "Display Name" = "Vendors" }
      Admin           = { "Alternate ID" = "admin@acme.example" }
    } }
  }
  expect_status = "succeeded"
}

run "For Each - Ignore Errors goes on when its flow fails" {
  flow         = flow.member_added
  trigger_file = "delivery.json"
  mock "okta.remove_user_from_group" { error = { kind = "permission", status = 403 } }
  expect_call "okta.remove_user_from_group" { count = 2 }
  expect_status = "succeeded"
}

run "For Each - Ignore Errors goes on with the other items" {
  flow    = flow.remove_members
  trigger = { input = { users = ["00u1", "00u2"] } }
  mock "okta.remove_user_from_group" {
    error = { kind = "permission", status = 403 }
    times = 1
  }
  mock "okta.remove_user_from_group" { output = { changed = true } }
  expect_call "okta.remove_user_from_group" { with = { user = "00u2", group = "00g1" } }
  expect_status = "succeeded"
}

run "a For Each over the events hands a flow of the export the event" {
  flow = flow.welcome
  trigger = { event = {
    uuid = "e3", published = "2026-11-28T10:00:00.000Z", eventType = "user.lifecycle.create",
    target = [{ id = "00u3", type = "User", alternateId = "ada@acme.example", displayName = "Ada" }]
  } }
  expect_call "card.for_each" {
    with = { input = { event = {
      "Date and Time" = "2026-11-28T10:00:00.000Z"
      "Okta User"     = { ID = "00u3", "Alternate ID" = "ada@acme.example" }
    } } }
  }
  expect_status = "succeeded"
}

run "a single-event card reads the same fields" {
  flow         = flow.member_added_single
  trigger_file = "delivery.json"
  mock "okta.remove_user_from_group" { output = { changed = true } }
  expect_call "okta.remove_user_from_group" {
    with  = { user = "00u1", group = "00g1" }
    count = 1
  }
  expect_call "okta.remove_user_from_group" {
    with  = { user = "00u2", group = "00g2" }
    count = 1
  }
  expect_call "card.return" {
    with = { result = {
      at      = "2026-11-28T09:14:03.118Z"
      admin   = "admin@acme.example"
      group   = "00g1"
      details = { uuid = "e1", debugContext = { debugData = { requestId = "r1" } } }
    } }
  }
}
`)
}

// TestEventCardsByType: Okta event cards become an okta.event_hook
// trigger on their event type, from the importer's table or, for a card it
// does not know, from the type Okta Workflows ends the card's description
// with. Card-specific fields (Suspicious Activity Reported's reporter,
// Access Certification Decision Submitted's Review Item) read the event. A
// card whose type okta.event_hook refuses, or that does not say its type,
// stays a placeholder that says why and what to write instead.
func TestEventCardsByType(t *testing.T) {
	res := importFile(t, "event-cards.flopack")
	data, err := os.ReadFile("testdata/import/event-cards.flopack")
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, "event-cards", res)
	checkEveryCard(t, "event-cards", data, res)
	notes := map[string]string{}
	for _, fr := range res.Report.Flows {
		for _, c := range fr.Cards {
			notes[fr.File+" "+c.Title] = string(c.Status) + ": " + c.Note
		}
	}
	for card, want := range map[string][]string{
		"hook_delivery_failed.hcl Event Hook Delivery Failed": {"placeholder: ", "starts the flow on event_hook.delivery", "not eligible for event hooks",
			`trigger "okta.system_log" block with event_types = ["event_hook.delivery"]`},
		"device_event.hcl Device Risk Changed":                                      {"placeholder: ", "does not say which event type starts it", `trigger "okta.event_hook"`},
		"user_unlocked.hcl User Account Unlocked":                                   {"converted: ", "event hook for user.account.unlock"},
		"access_certification_decision.hcl Access Certification Decision Submitted": {"converted: ", "Review Item reads the event's first target"},
	} {
		for _, w := range want {
			if !strings.Contains(notes[card], w) {
				t.Errorf("%s: note %q lacks %q", card, notes[card], w)
			}
		}
	}
	// The placeholders fail validation, as they should; run the rest.
	delete(res.Files, "hook_delivery_failed.hcl")
	delete(res.Files, "device_event.hcl")
	runImported(t, res, `
run "Suspicious Activity Reported hands its helper the user who reported" {
  flow = flow.suspicious_activity_reported
  trigger = { event = {
    uuid = "e7", published = "2026-11-28T11:00:00.000Z", eventType = "user.account.report_suspicious_activity_by_enduser",
    actor  = { id = "00u7", type = "User", alternateId = "kari@acme.example", displayName = "Kari Nordmann" }
    target = [{ id = "00u7", type = "User", alternateId = "kari@acme.example", displayName = "Kari Nordmann" }]
  } }
  mock "okta.clear_user_sessions" { output = {} }
  expect_call "okta.clear_user_sessions" { with = { user = "00u7", oauth_tokens = false } }
  expect_call "card.for_each_ignore_errors" {
    with = { input = { Name = "Kari Nordmann", Email = "kari@acme.example", "User ID" = "00u7" } }
  }
  expect_status = "succeeded"
}

run "Access Certification Decision Submitted hands its helper the review item and Debug Data" {
  flow = flow.access_certification_decision
  trigger = { event = {
    uuid = "e8", published = "2026-11-28T12:00:00.000Z", eventType = "certification.campaign.item.decide",
    target = [{ id = "irv1", type = "ReviewItem", alternateId = "irv1", displayName = "Review of Kari" }]
    debugContext = { debugData = { campaignItemDecision = "REVOKE", campaignItemPrincipalId = "00u7" } }
  } }
  expect_call "card.for_each_ignore_errors" {
    with = { input = {
      "Review Item"   = { ID = "irv1", "Display Name" = "Review of Kari" }
      "Debug Context" = { "Debug Data" = { campaignItemDecision = "REVOKE", campaignItemPrincipalId = "00u7" } }
    } }
  }
  expect_status = "succeeded"
}

run "an event card the importer has no entry for starts on the type its description names" {
  flow = flow.user_unlocked
  trigger = { event = {
    uuid = "e9", published = "2026-11-28T13:00:00.000Z", eventType = "user.account.unlock",
    target = [{ id = "00u9", type = "User", alternateId = "ola@acme.example", displayName = "Ola" }]
  } }
  expect_call "card.return" { with = { result = { user = "00u9", at = "2026-11-28T13:00:00.000Z" } } }
}
`)
}
