run "a new user joins Employees" {
  flow = flow.welcome
  trigger = {
    event = { eventType = "user.lifecycle.create", target = [{ id = "00u1kari0nordmann0h7", type = "User" }] }
  }
  emulator "okta" { seed_file = "seed.json" }

  assert {
    condition     = card.join_employees.changed
    error_message = "Kari must join Employees."
  }
  expect_call "okta.add_user_to_group" { with = { group = "Employees" } }
  expect_status = "succeeded"
}
