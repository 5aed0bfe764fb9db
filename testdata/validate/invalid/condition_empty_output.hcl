flow "lookup" {
  trigger "flow.called" {}

  card "stop" {
    action = flow.return
    result = { groups = ["Employees"] }
  }

  card "after" {
    action = text.compose
    if     = "card.stop.result != nil" # ERROR: Unknown field in condition
    text   = "unreachable"
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
