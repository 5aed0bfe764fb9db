# An action with a description argument of its own (okta.create_group,
# okta.update_group) takes description from the card: any expression,
# not only the literal a card's own description is.
flow "team_group" {
  trigger "flow.called" {}

  card "create" {
    action      = okta.create_group
    connection  = connection.okta.main
    name        = trigger.input.team
    description = "Members of ${trigger.input.team}"
  }

  card "rename" {
    action      = okta.update_group
    connection  = connection.okta.main
    group       = card.create.id
    description = card.create.name
  }
}

connection "okta" "main" {
  org_url = "https://acme.okta.com"
  token   = env("OKTA_API_TOKEN")
}
