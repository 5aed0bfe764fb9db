flow "notify" {
  on_error = flow.notify # ERROR: Flow handles its own errors

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
