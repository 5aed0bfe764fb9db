table "approvals" {
  columns = {
    user_id = string
    status  = string
    retries = number
  }
  key = "user_id"
}

flow "remember" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "remember" {
    action = table.put
    table  = table.approvals
    key    = trigger.event.target[0].id
    row = {
      user_id = trigger.event.target[0].id
      statuss = "pending" # ERROR: Unknown table column ~ Did you mean "status"?
      retries = ["none"] # ERROR: Incorrect argument type
    }
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
