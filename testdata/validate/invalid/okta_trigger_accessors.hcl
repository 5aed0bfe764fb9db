flow "joined" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["group.user_membership.add"]
    filter      = "group.alternateId == 'VPN Users'"
  }

  card "user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.user.id
  }

  card "group" {
    action     = okta.read_group
    connection = connection.okta.main
    group      = trigger.grup.id # ERROR: Unsupported attribute
  }
}

connection "okta" "main" {
  org_url           = env("OKTA_ORG_URL")
  token             = env("OKTA_API_TOKEN")
  manage_event_hook = true
  public_url        = "http://cardflow.acme.example" # ERROR: Invalid argument value
}

flow "created" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  # A user event has no group target: trigger.group is refused.
  card "group" {
    action     = okta.read_group
    connection = connection.okta.main
    group      = trigger.group.id # ERROR: Unsupported attribute
  }
}
