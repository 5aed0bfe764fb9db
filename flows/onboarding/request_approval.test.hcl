# Tests of request_approval: Okta says a user was created; cardflow reads the
# profile, opens a ServiceNow incident for the business owner and remembers
# it in the approvals table.

run "new user opens an approval incident" {
  flow         = flow.request_approval
  trigger_file = "testdata/user-created.json"

  mock "okta.read_user" {
    output = {
      id         = input.user
      status     = "STAGED"
      login      = "kari.nordmann@acme.example"
      first_name = "Kari"
      last_name  = "Nordmann"
      profile    = { department = "Finance", manager = "Erik Berg" }
    }
  }
  mock "servicenow.create_record" {
    output = { sys_id = "9d385017c611228701d22104cc95c371", number = "INC0010001", table = input.table, created = true }
  }

  assert {
    condition     = strcontains(card.description.text, "Department: Finance")
    error_message = "The incident text must carry the user's department."
  }
  assert {
    condition     = card.remember.row == { user_id = "00u1kari0nordmann0h7", login = "kari.nordmann@acme.example", incident = "INC0010001", sys_id = "9d385017c611228701d22104cc95c371", status = "pending" }
    error_message = "The approvals row must link the user to the incident, pending."
  }

  expect_call "okta.read_user" {
    with  = { user = trigger.event.target[0].id }
    count = 1
  }
  expect_call "servicenow.create_record" {
    with = {
      table           = "incident"
      idempotency_key = "00u1kari0nordmann0h7"
      fields          = { correlation_display = "cardflow", correlation_id = "00u1kari0nordmann0h7", short_description = "Approve access for kari.nordmann@acme.example" }
    }
    count = 1
  }
  expect_status = "succeeded"
}

run "missing profile fields read as a dash" {
  flow         = flow.request_approval
  trigger_file = "testdata/user-created.json"

  # Attributes a mock leaves out are null, as in a sparse Okta profile.
  mock "okta.read_user" {
    output = { id = input.user, login = "kari.nordmann@acme.example", first_name = "Kari", last_name = "Nordmann" }
  }
  mock "servicenow.create_record" {
    output = { number = "INC0010001", created = true }
  }

  assert {
    condition     = strcontains(card.description.text, "Department: -") && strcontains(card.description.text, "Manager: -")
    error_message = "Missing department and manager must show as a dash, not fail the flow."
  }
}

run "against the emulators" {
  flow         = flow.request_approval
  trigger_file = "testdata/user-created.json"

  emulator "okta" { seed_file = "testdata/okta-seed.json" }
  emulator "servicenow" {}

  assert {
    condition     = card.read_user.status == "STAGED" && card.read_user.profile.department == "Finance"
    error_message = "The user must be read from Okta."
  }
  assert {
    condition     = card.incident.created && startswith(card.incident.number, "INC")
    error_message = "A new incident must be opened."
  }
  assert {
    condition     = card.incident.record.correlation_id == "00u1kari0nordmann0h7"
    error_message = "The incident must carry the user id as its correlation id."
  }
}

# Okta delivers events at least once, and an execution can be replayed: the
# idempotency key makes create_record find the incident it opened before.
run "duplicate: the same event twice opens one incident" {
  flow         = flow.request_approval
  trigger_file = "testdata/user-created.json"
  repeat       = 2

  emulator "okta" { seed_file = "testdata/okta-seed.json" }
  emulator "servicenow" {}

  assert {
    condition     = !card.incident.created
    error_message = "The second delivery must find the incident, not open another."
  }
  assert {
    condition     = card.remember.row.incident == card.incident.number
    error_message = "The approvals row must point at the one incident."
  }
  expect_call "servicenow.create_record" { count = 2 }
}

run "duplicate: the incident already exists" {
  flow         = flow.request_approval
  trigger_file = "testdata/user-created.json"

  emulator "okta" { seed_file = "testdata/okta-seed.json" }
  emulator "servicenow" { seed_file = "testdata/servicenow-incident-open.json" }

  assert {
    condition     = !card.incident.created && card.incident.number == "INC0009001"
    error_message = "An incident opened earlier for the user must be reused."
  }
  assert {
    condition     = card.remember.row.incident == "INC0009001"
    error_message = "The approvals row must point at the existing incident."
  }
}

run "rate limited reading the user, then recovered" {
  flow         = flow.request_approval
  trigger_file = "testdata/user-created.json"

  # Two 429s, then the action mock answers; the test clock skips the waits.
  mock "card.read_user" {
    error = { status = 429, message = "API call exceeded rate limit due to too many requests.", code = "E0000047", retry_after = "45s" }
    times = 2
  }
  mock "okta.read_user" {
    output = { id = input.user, login = "kari.nordmann@acme.example", first_name = "Kari", last_name = "Nordmann" }
  }
  mock "servicenow.create_record" {
    output = { number = "INC0010001", created = true }
  }

  expect_call "card.read_user" { count = 3 }
  expect_call "servicenow.create_record" { count = 1 }
  expect_status = "succeeded"
}
