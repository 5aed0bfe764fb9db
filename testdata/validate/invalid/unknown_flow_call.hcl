flow "new_hire" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "groups" {
    action = flow.call
    flow   = flow.groups_for_departmnet # ERROR: Unknown flow ~ Did you mean "groups_for_department"?
    input  = { user_id = trigger.event.target[0].id }
  }
}

flow "groups_for_department" {
  trigger "flow.called" {}

  card "done" {
    action = flow.return
    result = { groups = ["Employees"] }
  }
}

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
}
