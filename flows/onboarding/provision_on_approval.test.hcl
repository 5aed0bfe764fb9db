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
  mock "okta.read_user" {
    output = { id = "00u1kari0nordmann0h7", status = "STAGED", login = "kari.nordmann@acme.example" }
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
