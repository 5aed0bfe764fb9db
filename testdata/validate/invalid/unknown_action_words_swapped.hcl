# The right words in the wrong order: the did-you-mean still finds the
# action.
flow "grant_app" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "assign" {
    action     = okta.assign_app_to_user # ERROR: Unknown action ~ Did you mean "okta.assign_user_to_app"?
    connection = connection.okta.main
    user       = trigger.event.target[0].id
    app        = "0oa1slack"
  }
}

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
