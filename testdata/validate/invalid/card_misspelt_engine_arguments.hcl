variable "groups" {
  type    = list(string)
  default = ["Employees", "VPN Users"]
}

flow "join_groups" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "add" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    for_eahc   = var.groups # ERROR: Unsupported argument ~ Did you mean "for_each"?
    user       = trigger.event.target[0].id
    group      = "Employees"

    retyr { # ERROR: Unsupported block type ~ Did you mean "retry"?
      attempts = 3
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
