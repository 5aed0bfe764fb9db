flow "new_hire" {
  on_error = flow.notify_failur # ERROR: Unknown flow ~ Did you mean "notify_failure"?

  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
    on_error   = flow.notify_falure # ERROR: Unknown flow ~ Did you mean "notify_failure"?
  }
}

flow "notify_failure" {
  trigger "flow.called" {}

  card "compose" {
    action = text.compose
    text   = "flow ${trigger.caller.flow} failed"
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
