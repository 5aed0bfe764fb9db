# The Okta API's user statuses are a closed set, spelt otherwise than the
# admin console shows them: a comparison with anything else is never true.
flow "offboard" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "read" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }

  card "groups" {
    action     = okta.remove_user_from_group
    connection = connection.okta.main
    for_each   = ["Employees", "VPN Users"]
    if         = "card.read.status == 'DEACTIVATED'" # WARNING: Not an Okta user status ~ Did you mean "DEPROVISIONED"?
    user       = card.read.id
    group      = each.value
  }

  card "suspend" {
    action     = okta.suspend_user
    connection = connection.okta.main
    if         = "card.read.status in ['ACTIVE', 'Locked out'] && card.read.profile.department != 'Finance'" # WARNING: Not an Okta user status ~ Did you mean "LOCKED_OUT"?
    user       = card.read.id
  }

  card "notify" {
    action     = okta.read_user
    connection = connection.okta.main
    if         = "card.suspend.previous_status != 'ACTIVE' && card.groups['VPN Users'].changed"
    user       = card.read.id
  }
}

connection "okta" "main" {
  org_url           = env("OKTA_ORG_URL")
  token             = env("OKTA_API_TOKEN")
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
}

# A trigger delivers only the event types it lists.
flow "offboard_filtered" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.deactivate", "user.lifecycle.suspend"]
    filter      = "event.eventType == 'user.lifecycle.deactivated'" # WARNING: Event type the trigger does not deliver ~ Did you mean "user.lifecycle.deactivate"?
  }

  card "read" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
    if         = "trigger.event.eventType in ['user.lifecycle.suspend', 'user.lifecycle.deactivate']"
  }
}
