flow "offboard" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.deactivate"]
  }

  card "groups" {
    action     = okta.list_user_groups
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }

  card "remove" {
    action     = okta.remove_user_from_group
    connection = connection.okta.main
    for_each   = toset([for g in card.groups.groups : g.nmae]) # ERROR: Unsupported attribute ~ Did you mean "name"?
    user       = trigger.event.target[0].id
    group      = each.value
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
