flows "request_approval" { # ERROR: Unsupported block type ~ Did you mean "flow"?
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
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
