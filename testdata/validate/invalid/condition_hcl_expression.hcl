# if and filter are expr-lang conditions in quotes; written as HCL
# expressions, the diagnostic rewrites them.
flow "activate_staged" {
  trigger "servicenow.record_updated" {
    connection = connection.servicenow.main
    table      = "incident"
    filter     = record.state == "6" && record.correlation_id != null # ERROR: Condition must be a quoted string ~ filter = "record.state == '6' && record.correlation_id != nil"
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.record.correlation_id
  }

  card "activate" {
    action     = okta.activate_user
    connection = connection.okta.main
    if         = card.read_user.status != "ACTIVE" # ERROR: Condition must be a quoted string ~ if = "card.read_user.status != 'ACTIVE'"
    user       = card.read_user.id
  }

  card "note" {
    action = okta.activate_user
    connection = connection.okta.main
    if     = "${card.read_user.status} != 'ACTIVE'" # ERROR: Condition must be a quoted string ~ without ${ }
    user   = card.read_user.id
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
