# Tests of provision_on_approval: the business owner resolved the incident
# cardflow opened for a new user. Okta and ServiceNow are mocked; nothing
# leaves the machine.

run "approval grants groups and apps" {
  flow      = flow.provision_on_approval
  variables = { groups = ["Employees", "VPN Users"], apps = ["Slack", "Zoom"] }

  trigger = {
    table = "incident"
    record = {
      sys_id         = "9d385017c611228701d22104cc95c371"
      number         = "INC0010001"
      state          = "6"
      correlation_id = "00u1kari0nordmann0h7"
      sys_updated_by = "beth.anglin"
    }
  }

  table "approvals" {
    rows = {
      "00u1kari0nordmann0h7" = {
        user_id  = "00u1kari0nordmann0h7"
        login    = "kari.nordmann@acme.example"
        incident = "INC0010001"
        sys_id   = "9d385017c611228701d22104cc95c371"
        status   = "pending"
      }
    }
  }

  mock "okta.add_user_to_group" {
    output = { user_id = input.user, group_name = input.group, changed = true }
  }
  mock "okta.activate_user" {
    output = { user_id = input.user, previous_status = "STAGED", status = "ACTIVE", changed = true }
  }
  mock "okta.assign_user_to_app" {
    output = { user_id = input.user, app_label = input.app, changed = true, status = "ACTIVE" }
  }
  mock "servicenow.close_incident" {
    output = { sys_id = input.sys_id, number = "INC0010001", table = "incident", record = { state = "7" } }
  }

  assert {
    condition     = card.add_groups["Employees"].changed && card.add_groups["VPN Users"].changed
    error_message = "The user must join Employees and VPN Users."
  }
  assert {
    condition     = card.activate.status == "ACTIVE"
    error_message = "A STAGED user must be activated."
  }
  assert {
    condition     = strcontains(calls["servicenow.close_incident"][0].close_notes, "Approved by beth.anglin")
    error_message = "The close notes must name the approver."
  }
  assert {
    condition     = endswith(calls["servicenow.close_incident"][0].close_notes, "account activated (status ACTIVE).")
    error_message = "The close notes must say the account was activated."
  }
  assert {
    condition     = card.done.row.status == "approved"
    error_message = "The approval row must be marked approved."
  }

  expect_call "okta.add_user_to_group" { count = 2 }
  expect_call "okta.add_user_to_group" {
    with  = { user = "00u1kari0nordmann0h7", group = "VPN Users" }
    count = 1
  }
  expect_call "okta.assign_user_to_app" { count = 2 }
  expect_call "servicenow.close_incident" {
    with  = { sys_id = trigger.record.sys_id, close_code = "Solution provided" }
    count = 1
  }
  expect_status = "succeeded"
}

run "an active user is not activated again" {
  flow    = flow.provision_on_approval
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "6", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", login = "kari.nordmann@acme.example", status = "pending" } }
  }

  mock "okta.add_user_to_group" {}
  mock "okta.assign_user_to_app" {}
  # activate_user's answer for an ACTIVE user: nothing done.
  mock "okta.activate_user" {
    output = { user_id = input.user, previous_status = "ACTIVE", status = "ACTIVE", changed = false }
  }
  mock "servicenow.close_incident" {}

  assert {
    condition     = endswith(calls["servicenow.close_incident"][0].close_notes, "account already activated (status ACTIVE).")
    error_message = "The close notes must say the account was already active."
  }
  expect_status = "succeeded"
}

# Incidents cardflow did not open, or opened for someone else, end the flow
# before anything is granted. No Okta mock is needed: a call would fail the
# run as unmocked.
run "not ours: no approval row for the incident" {
  flow    = flow.provision_on_approval
  trigger = { record = { sys_id = "46d44a23a9fe19810012d100cca80666", state = "6", correlation_id = "00u9someone0else00h7", sys_updated_by = "beth.anglin" } }

  expect_status  = "halted"
  expect_skipped = [card.add_groups, card.activate, card.assign_apps, card.close, card.done]
  expect_call "okta.add_user_to_group" { count = 0 }
}

run "not ours: an incident without correlation id is filtered out" {
  flow    = flow.provision_on_approval
  trigger = { record = { sys_id = "46d44a23a9fe19810012d100cca80666", state = "6", correlation_id = "", sys_updated_by = "beth.anglin" } }

  expect_status = "filtered"
}

run "duplicate: an incident already handled is ignored" {
  flow    = flow.provision_on_approval
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "6", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", status = "approved" } }
  }

  expect_status  = "halted"
  expect_skipped = [card.add_groups, card.close]
}

# A later update of the resolved incident (a work note, a field change)
# arrives as a new event with state 6 still set: it must not grant twice.
run "duplicate: the resolution seen twice grants once" {
  flow    = flow.provision_on_approval
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "6", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }
  repeat  = 2

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", status = "pending" } }
  }

  mock "okta.add_user_to_group" {}
  mock "okta.assign_user_to_app" {}
  mock "okta.activate_user" { output = { previous_status = "STAGED", status = "PROVISIONED", changed = true } }
  mock "servicenow.close_incident" {}

  expect_status = "halted"
  expect_call "okta.add_user_to_group" { count = 2 }
  expect_call "okta.activate_user" { count = 1 }
  expect_call "servicenow.close_incident" { count = 1 }
}

run "rate limited then recovered" {
  flow    = flow.provision_on_approval
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "6", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", status = "pending" } }
  }

  mock "okta.add_user_to_group" {}
  mock "okta.assign_user_to_app" {}
  mock "okta.activate_user" { output = { status = "ACTIVE", changed = false } }
  # ServiceNow answers 429 once; the card waits for Retry-After (skipped by
  # the test clock) and the second attempt succeeds.
  mock "card.close" {
    error = { kind = "rate_limited", status = 429, message = "Rate limit exceeded", retry_after = "30s" }
    times = 1
  }
  mock "servicenow.close_incident" {
    output = { sys_id = input.sys_id, number = "INC0010001", record = { state = "7" } }
  }

  assert {
    condition     = card.close.record.state == "7"
    error_message = "The incident must be closed after the retry."
  }
  assert {
    condition     = card.done.row.status == "approved"
    error_message = "The row must be marked approved once the incident is closed."
  }
  expect_call "card.close" { count = 2 }
  expect_status = "succeeded"
}

run "rate limited until the retries run out" {
  flow    = flow.provision_on_approval
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "6", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", status = "pending" } }
  }

  mock "okta.add_user_to_group" {}
  mock "okta.assign_user_to_app" {}
  mock "okta.activate_user" { output = { status = "ACTIVE", changed = false } }
  mock "card.close" {
    error = { status = 429, retry_after = "1m" }
  }

  assert {
    condition     = strcontains(execution.error, "HTTP 429")
    error_message = "The execution must fail with the rate limit."
  }
  expect_failures = [card.close]
  expect_skipped  = [card.done]
  expect_call "card.close" { count = 10 }
  expect_status = "failed"
}

# A user who is PROVISIONED was activated before (by a retried or replayed
# execution, or by an admin): Okta refuses a second activation, and only
# the user can finish it from the activation email.
run "a user with activation pending is not activated again" {
  flow    = flow.provision_on_approval
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "6", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", login = "kari.nordmann@acme.example", status = "pending" } }
  }

  mock "okta.add_user_to_group" {}
  mock "okta.assign_user_to_app" {}
  # activate_user's answer for a PROVISIONED user: nothing done.
  mock "okta.activate_user" {
    output = { user_id = input.user, previous_status = "PROVISIONED", status = "PROVISIONED", changed = false }
  }
  mock "servicenow.close_incident" {}

  assert {
    condition     = endswith(calls["servicenow.close_incident"][0].close_notes, "account already activated (status PROVISIONED until the user sets a password from Okta's activation email).")
    error_message = "The close notes must say the activation is pending on the user."
  }
  expect_status = "succeeded"
}

# The same approval against the built-in Okta and ServiceNow emulators: real
# connector code, real HTTP, on loopback test servers. Kari is a new hire
# without a password, as request_approval sees them: activated, she is
# PROVISIONED until she follows Okta's activation email.
run "approval of a new hire against the emulators" {
  flow    = flow.provision_on_approval
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "6", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", incident = "INC0009001", status = "pending" } }
  }
  emulator "okta" { seed_file = "testdata/okta-seed.json" }
  emulator "servicenow" { seed_file = "testdata/servicenow-incident-open.json" }

  assert {
    condition     = card.activate.previous_status == "STAGED" && card.activate.status == "PROVISIONED" && card.activate.changed
    error_message = "The STAGED user without a password must be activated, and wait PROVISIONED for the welcome flow."
  }
  assert {
    condition     = endswith(calls["servicenow.close_incident"][0].close_notes, "account activated (status PROVISIONED until the user sets a password from Okta's activation email).")
    error_message = "The close notes must say the user has yet to finish the activation."
  }
  assert {
    condition     = card.close.record.state == "7" && card.done.row.status == "approved"
    error_message = "The incident must be closed and the approval recorded."
  }
}

# A retried or replayed execution, or an admin, activated Kari already: she
# is PROVISIONED, and Okta would refuse a second activation (E0000038).
# activate_user leaves her so, and the approval completes.
run "approval of a user with activation pending against the emulators" {
  flow    = flow.provision_on_approval
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "6", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", incident = "INC0009001", status = "pending" } }
  }
  emulator "okta" { seed_file = "testdata/okta-seed-provisioned.json" }
  emulator "servicenow" { seed_file = "testdata/servicenow-incident-open.json" }

  assert {
    condition     = card.activate.previous_status == "PROVISIONED" && card.activate.status == "PROVISIONED" && !card.activate.changed
    error_message = "A PROVISIONED user must be left as is, not activated again."
  }
  assert {
    condition     = card.close.record.state == "7" && card.done.row.status == "approved"
    error_message = "The incident must be closed and the approval recorded."
  }
  expect_status = "succeeded"
}

# The approval again, for a user who already has a password (an HR import
# that sets a temporary one): activated, Okta makes the user ACTIVE at once.
run "approval against the emulators" {
  flow    = flow.provision_on_approval
  trigger = { record = { sys_id = "9d385017c611228701d22104cc95c371", state = "6", correlation_id = "00u1kari0nordmann0h7", sys_updated_by = "beth.anglin" } }

  table "approvals" {
    rows = { "00u1kari0nordmann0h7" = { user_id = "00u1kari0nordmann0h7", incident = "INC0009001", status = "pending" } }
  }
  emulator "okta" { seed_file = "testdata/okta-seed-password.json" }
  emulator "servicenow" { seed_file = "testdata/servicenow-incident-open.json" }

  assert {
    condition     = alltrue([for g in card.add_groups : g.changed])
    error_message = "The user must join every group."
  }
  assert {
    condition     = card.activate.previous_status == "STAGED" && card.activate.status == "ACTIVE"
    error_message = "The STAGED user must be activated."
  }
  assert {
    condition     = card.close.record.state == "7" && card.close.record.close_code == "Solution provided"
    error_message = "The incident must be closed with the close code."
  }
}
