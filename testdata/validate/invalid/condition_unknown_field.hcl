flow "activate" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }

  card "activate" {
    action     = okta.activate_user
    connection = connection.okta.main
    if         = "card.read_user.stauts != 'ACTIVE'" # ERROR: Unknown field in condition ~ Did you mean "status"?
    user       = card.read_user.id
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
