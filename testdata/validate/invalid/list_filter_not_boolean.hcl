flow "active_members" {
  trigger "flow.called" {}

  card "users" {
    action     = okta.search_users
    connection = connection.okta.main
    search     = "profile.department eq \"Engineering\""
  }

  card "active" {
    action = list.filter
    items  = card.users.users
    where  = "item.status" # ERROR: Condition is not a boolean
  }

  card "logins" {
    action = list.map
    items  = card.users.users
    expr   = "item.profile.logn" # ERROR: Unknown field in expression ~ Did you mean "login"?
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
