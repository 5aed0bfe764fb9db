flow "request_approval" {
  description = "A user was created in Okta: open a ServiceNow incident asking the business owner to approve their access."

  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  # Event payloads carry only the user's id, login and name: read the profile.
  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }

  card "description" {
    action = text.compose
    text   = <<-EOT
      A new Okta account needs approval before access is granted.
      Name: ${card.read_user.display_name}
      Login: ${card.read_user.login}
      Department: ${coalesce(card.read_user.profile.department, "-")}
      Manager: ${coalesce(card.read_user.profile.manager, "-")}

      Resolve this incident to approve: cardflow then adds the user to ${join(", ", var.groups)},
      activates the account and assigns ${join(", ", var.apps)}. Cancel it to reject.
    EOT
  }

  # The idempotency key makes a retried or replayed execution find the
  # incident it opened instead of opening a second one.
  card "incident" {
    action          = servicenow.create_record
    connection      = connection.servicenow.main
    table           = "incident"
    idempotency_key = card.read_user.id
    fields = {
      short_description   = "Approve access for ${card.read_user.login}"
      description         = card.description.text
      category            = "inquiry"
      impact              = "3"
      urgency             = "3"
      correlation_display = "cardflow"
      correlation_id      = card.read_user.id
    }
  }

  card "remember" {
    action = table.put
    table  = table.approvals
    key    = card.read_user.id
    row = {
      user_id  = card.read_user.id
      login    = card.read_user.login
      incident = card.incident.number
      sys_id   = card.incident.sys_id
      status   = "pending"
    }
  }
}
