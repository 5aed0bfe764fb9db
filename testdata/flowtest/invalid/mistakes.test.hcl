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

run "an event the trigger does not list" {
  flow    = flow.welcome
  trigger = { event = { eventType = "user.account.lock", target = [{ id = "00u1kari0nordmann0h7" }] } } # ERROR: Trigger event the flow does not start for
}

run "mocks of a card whose action is misspelt" {
  flow    = flow.misspelt
  trigger = { input = { user = "00u1kari0nordmann0h7" } }

  mock "card.lookup" {
    output = { id = "00u1kari0nordmann0h7" }
  }
  mock "okta.read_user" {} # WARNING: Action not used by the flow
  expect_call "okta.read_user" { count = 0 } # WARNING: Action not used by the flow
}

run "asserts with mistakes behind a card reference" {
  flow    = flow.grant
  trigger = { input = { user = "00u1kari0nordmann0h7" } }

  assert {
    condition     = card.activate.stauts == "ACTIVE" # ERROR: Unsupported attribute
    error_message = "A misspelt output attribute."
  }
  assert {
    condition     = card.activate.changed && card.activate.stauts == "ACTIVE" # ERROR: Unsupported attribute
    error_message = "The right side of && is checked although the left one is unknown."
  }
  assert {
    condition     = alltrue([for g in card.add_groups : g.changd]) # ERROR: Unsupported attribute
    error_message = "The body of a for expression over a card's outputs."
  }
  assert {
    condition     = strcontans(execution.error, "HTTP 429") # ERROR: Call to unknown function
    error_message = "A misspelt function."
  }
  assert {
    condition     = execution.eror == null # ERROR: Unsupported attribute
    error_message = "A misspelt attribute of the execution."
  }
  assert {
    condition     = calls["okta.activate_user"][0].usr == "00u1kari0nordmann0h7" # ERROR: Unsupported attribute
    error_message = "A misspelt input of a recorded call."
  }
  assert {
    condition     = card.activate == { stauts = "ACTIVE" } # ERROR: Comparison is always false
    error_message = "An object never equal to the card's output."
  }
  assert {           # ERROR: Missing required argument
    conditon      = true # ERROR: Unsupported argument
    error_message = "A misspelt condition."
  }
  expect_call "okta.add_user_to_group" {
    with = { user = trigger.inptu.user } # ERROR: Unsupported attribute
  }
}

run "mocks of actions that helper flows call" {
  flow    = flow.onboard
  trigger = { input = { user = "00u1kari0nordmann0h7" } }

  mock "okta.add_user_to_group" {
    output = { changed = true }
  }
  expect_call "okta.activate_user" { count = 1 }
  mock "okta.read_user" {} # WARNING: Action not used by the flow
}
