connection "okta" "main" {
  org_url           = env("OKTA_ORG_URL")
  token             = env("OKTA_API_TOKEN")
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
}

flow "welcome" {
  description = "Every new Okta user joins the Employees group."

  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }

  card "join_employees" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    if         = "card.read_user.status != 'DEPROVISIONED'"
    user       = card.read_user.id
    group      = "Employees"
  }
}
