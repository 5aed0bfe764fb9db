# Tests of on_rejection: the business owner canceled the incident cardflow
# opened; the user is deactivated and the rejection recorded.

run "rejection deactivates the user and records it" {
  flow = flow.on_rejection
  trigger = {
    record = {
      sys_id         = "9d385017c611228701d22104cc95c371"
      number         = "INC0010001"
      state          = "8"
      correlation_id = "00u1kari0nordmann0h7"
      sys_updated_by = "beth.anglin"
    }
  }

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", login = "kari.nordmann@acme.example", incident = "INC0010001", status = "pending" } }
  }

  mock "okta.deactivate_user" {
    output = { user_id = input.user, previous_status = "STAGED", status = "DEPROVISIONED", changed = true }
  }
  mock "servicenow.add_work_note" {
    output = { sys_id = input.sys_id, number = "INC0010001" }
  }

  assert {
    condition     = card.deactivate.status == "DEPROVISIONED"
    error_message = "The rejected user must be deactivated."
  }
  assert {
    condition     = card.rejected.row.status == "rejected" && card.rejected.row.incident == "INC0010001"
    error_message = "The approvals row must be marked rejected."
  }
  expect_call "okta.deactivate_user" {
    with  = { user = "00u1kari0nordmann0h7" }
    count = 1
  }
  expect_call "servicenow.add_work_note" {
    with  = { sys_id = trigger.record.sys_id, note = "Rejected by beth.anglin: cardflow deactivated Okta user kari.nordmann@acme.example." }
    count = 1
  }
  expect_status = "succeeded"
}

run "not ours: no approval row for the incident" {
  flow    = flow.on_rejection
  trigger = { record = { sys_id = "46d44a23a9fe19810012d100cca80666", state = "8", correlation_id = "00u9someone0else00h7", sys_updated_by = "beth.anglin" } }

  expect_status  = "halted"
  expect_skipped = [card.deactivate, card.note, card.rejected]
}

run "duplicate: an approved user is not deactivated by a late cancel" {
  flow    = flow.on_rejection
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "8", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", status = "approved" } }
  }

  expect_status = "halted"
  expect_call "okta.deactivate_user" { count = 0 }
}

run "duplicate: the cancel seen twice deactivates once" {
  flow    = flow.on_rejection
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "8", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }
  repeat  = 2

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", login = "kari.nordmann@acme.example", status = "pending" } }
  }
  mock "okta.deactivate_user" {}
  mock "servicenow.add_work_note" {}

  expect_status = "halted"
  expect_call "okta.deactivate_user" { count = 1 }
}

run "Okta refuses: the flow fails and records nothing" {
  flow    = flow.on_rejection
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "8", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", status = "pending" } }
  }
  mock "okta.deactivate_user" {
    error = { status = 403, code = "E0000006", message = "You do not have permission to perform the requested action" }
  }

  # A permission error is not retried.
  expect_call "okta.deactivate_user" { count = 1 }
  expect_failures = [card.deactivate]
  expect_skipped  = [card.note, card.rejected]
}

run "rejection against the emulators" {
  flow    = flow.on_rejection
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "8", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", login = "kari.nordmann@acme.example", status = "pending" } }
  }
  emulator "okta" { seed_file = "testdata/okta-seed.json" }
  emulator "servicenow" { seed_file = "testdata/servicenow-incident-open.json" }

  assert {
    condition     = card.deactivate.changed && card.deactivate.status == "DEPROVISIONED"
    error_message = "The user must be deactivated in Okta."
  }
  assert {
    condition     = card.note.number == "INC0009001"
    error_message = "The work note must go on the incident."
  }
}
