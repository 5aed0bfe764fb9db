flow "compose" {
  trigger "flow.called" {}

  card "text" {
    action     = text.compose
    connection = connection.okta.main # ERROR: Unexpected connection
    text       = "hello"
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
