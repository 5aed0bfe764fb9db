flow "notify_slack" {
  on_error = flow.notify_servicenow

  trigger "flow.called" {}

  card "post" {
    action = http.request
    method = "POST"
    url    = env("SLACK_WEBHOOK_URL")
    body   = { text = "flow ${trigger.caller.flow} failed" }
  }
}

flow "notify_servicenow" {
  on_error = flow.notify_slack # ERROR: Dependency cycle

  trigger "flow.called" {}

  card "incident" {
    action     = servicenow.create_record
    connection = connection.servicenow.main
    table      = "incident"
    fields     = { short_description = "cardflow flow ${trigger.caller.flow} failed" }
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
