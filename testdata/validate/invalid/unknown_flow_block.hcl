flow "request_approval" { # ERROR: Missing trigger
  triger "okta.event_hook" { # ERROR: Unsupported block type ~ Did you mean "trigger"?
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = "00u1"
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
