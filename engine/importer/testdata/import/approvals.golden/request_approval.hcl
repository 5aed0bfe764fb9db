# Imported from Okta Workflows: the flow "Request Approval".
flow "request_approval" {
  description = "A user was created in Okta: open a ServiceNow incident for approval."
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  # Read the profile
  # Event payloads only carry the id, login and name.
  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }

  card "create_incident" {
    action     = servicenow.create_record
    connection = connection.servicenow.main
    table      = "incident"
    fields = {
      short_description = tostring("Approve access for ${card.read_user.login} (${card.read_user.profile.department})")
      description       = tostring("Resolve to approve, cancel to reject.")
      correlation_id    = tostring(card.read_user.id)
    }
  }

  card "remember_the_request" {
    action = table.put
    table  = table.approvals
    key    = tostring(card.read_user.id)
    row = {
      userId   = card.read_user.id
      login    = card.read_user.login
      incident = card.create_incident.number
      status   = "pending"
    }
  }
}
