run "structure" {
  flow          = flow.grant
  expect_status = "done" # ERROR: Invalid expect_status

  expect_calls "okta.add_user_to_group" {} # ERROR: Unsupported block type
  mock "add_groups" {}                     # ERROR: Invalid mock target
  mock "okta.activate_user" {
    output = {}
    error  = { status = 500 } # ERROR: Conflicting mock arguments
  }
}

run "no flow" {} # ERROR: Missing required argument
