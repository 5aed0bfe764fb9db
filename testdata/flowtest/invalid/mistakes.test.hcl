# Mistakes that validate and cardflow test report without running anything;
# each carries a marker comment with the expected summary on its line.

run "mistakes in a run" {
  flow      = flow.grant
  trigger   = { input = { user = "00u1kari0nordmann0h7" } }
  variables = { group = ["Employees"] } # ERROR: Undeclared variable
  repeat    = 0                         # ERROR: Invalid repeat

  table "aprovals" { rows = {} } # ERROR: Unknown table
  table "approvals" {
    rows = { "00u1" = { user_id = "00u1", stauts = "pending" } } # ERROR: Unsupported attribute in table row
  }

  mock "okta.add_user_to_grup" {} # ERROR: Unknown action
  mock "card.add_group" {}        # ERROR: Unknown card
  mock "okta.read_user" {}        # WARNING: Action not used by the flow
  mock "okta.activate_user" {
    output = { stauts = "ACTIVE" } # ERROR: Unsupported attribute in mock output
  }
  mock "card.activate" {
    error = { kind = "rate_limit" } # ERROR: Invalid mock error
  }
  mock "card.add_groups" {
    output = {}
    times  = 0 # ERROR: Invalid times
  }
  emulator "okt" {} # ERROR: Unknown emulator

  assert {
    condition     = card.activat.status == "ACTIVE" # ERROR: Unknown card
    error_message = "The user must be active."
  }
  assert {
    condition     = step.activate.status == "ACTIVE" # ERROR: Invalid reference
    error_message = "The user must be active."
  }
  expect_call "okta.add_user_to_group" {
    with = { grup = "Employees" } # ERROR: Unsupported argument in with
  }
  expect_skipped = [card.nope] # ERROR: Unknown card
}

run "unknown flow" {
  flow = flow.grnat # ERROR: Unknown flow
}

run "bad trigger event" {
  flow    = flow.grant
  trigger = { inptu = { user = "00u1kari0nordmann0h7" } } # ERROR: Unsupported attribute in trigger event
}
