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
