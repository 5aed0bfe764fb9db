flow "request_approval" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.created"]
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }

  card "incident" {
    action     = servicenow.create_record
    connection = connection.servicenow.main
    table      = "incident"
    fields = {
      short_description = "Approve access for ${card.read_user.profil.login}"
      correlation_id    = card.read_user.id
    }
  }

  card "activate" {
    action     = okta.activate_user
    connection = connection.okta.main
    if         = "card.read_user.status != 'ACTIVE' &&"
    user       = card.read_user.id
  }
}
