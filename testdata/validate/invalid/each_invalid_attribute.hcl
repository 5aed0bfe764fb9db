variable "groups" {
  type    = list(string)
  default = ["Employees"]
}

flow "join_groups" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "add" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    for_each   = var.groups
    user       = trigger.event.target[0].id
    group      = each.name # ERROR: Invalid reference
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
