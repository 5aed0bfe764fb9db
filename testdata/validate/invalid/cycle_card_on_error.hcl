flow "open_ticket" {
  trigger "flow.called" {}

  card "incident" {
    action     = servicenow.create_record
    connection = connection.servicenow.main
    table      = "incident"
    fields     = { short_description = "cardflow needs attention" }
    on_error   = flow.page_oncall # ERROR: Dependency cycle
  }
}

flow "page_oncall" {
  trigger "flow.called" {}

  card "ticket" {
    action = flow.call
    flow   = flow.open_ticket
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
