flow "notify" {
  trigger "flow.called" {}

  card "compose" {
    action = text.compose
    text   = uper("flow ${trigger.caller.flow} failed") # ERROR: Call to unknown function ~ Did you mean "upper"?
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
