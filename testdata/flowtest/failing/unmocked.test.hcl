run "unmocked write action" { # FAIL: Unmocked action
  flow    = flow.grant
  trigger = { input = { user = "00u1kari0nordmann0h7", status = "STAGED" } }

  mock "okta.add_user_to_group" {}
}

run "unexpected failure" { # FAIL: Unexpected failure
  flow    = flow.grant
  trigger = { input = { user = "00u1kari0nordmann0h7", status = "STAGED" } }

  mock "okta.add_user_to_group" {}
  mock "card.activate" {
    error = { status = 404, code = "E0000007", message = "Not found: Resource not found: 00u1kari0nordmann0h7 (User)" }
  }
}

run "the expected failure does not happen" {
  flow    = flow.grant
  trigger = { input = { user = "00u1kari0nordmann0h7", status = "STAGED" } }

  mock "okta.add_user_to_group" {}
  mock "okta.activate_user" {}

  expect_failures = [card.activate] # FAIL: Card did not fail
}
