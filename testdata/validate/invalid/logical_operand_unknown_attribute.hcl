# Both sides of && depend on cards, so both are unknown while validating:
# the misspelt attribute on the right must still be reported.
flow "note_active" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }

  card "note" {
    action = text.compose
    text   = "${card.read_user.id != "" && card.read_user.stauts == "ACTIVE"}" # ERROR: Unsupported attribute
  }
}

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
