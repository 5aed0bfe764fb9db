flow "provision_on_approval" {
  trigger "servicenow.record_updated" {
    connection = connection.servicenow.main
    table      = "incident"
    query      = "correlation_display=cardflow^state=6"
    filter     = "recrod.state == '6'" # ERROR: Unknown field in condition ~ Did you mean "record"?
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.record.correlation_id
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
