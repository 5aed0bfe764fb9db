flow "read_new_user" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  trigger "okta.event_hook" { # ERROR: Duplicate trigger
    connection  = connection.okta.main
    event_types = ["user.lifecycle.activate"]
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
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
