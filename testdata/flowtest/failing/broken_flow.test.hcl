run "grants both groups" {
  flow    = flow.grant
  trigger = { input = { user = "00u1kari0nordmann0h7", status = "STAGED" } }

  mock "okta.add_user_to_group" {
    output = { user_id = input.user, group_name = input.group, changed = true }
  }
  mock "okta.activate_user" {
    output = { status = "ACTIVE" }
  }

  assert {
    condition     = length(card.add_groups) == 2 # FAIL: Test assertion failed
    error_message = "The user must join both groups."
  }
  assert {
    condition     = card.activate.status == "ACTIVE"
    error_message = "The user must be active."
  }
  expect_call "okta.add_user_to_group" { count = 2 } # FAIL: Unexpected calls
  expect_call "okta.add_user_to_group" { with = { group = "VPN Users" } } # FAIL: Unexpected calls
}

run "skips activation of an active user" {
  flow    = flow.grant
  trigger = { input = { user = "00u1kari0nordmann0h7", status = "STAGED" } }

  mock "okta.add_user_to_group" {}
  mock "okta.activate_user" {}

  expect_skipped = [card.activate] # FAIL: Card was not skipped
  expect_status  = "halted"        # FAIL: Unexpected execution status
}
