# The job peers such as Node-RED are compared on: an Okta event hook in,
# the incident composed from the event alone and created in ServiceNow. It
# reads no user and writes no table row (request_approval does both), and
# it correlates the incident with the user as request_approval does, so
# that the harness checks it the same way.
flow "incident" {
  description = "A user was created in Okta: open a ServiceNow incident for their onboarding."

  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "incident" {
    action     = servicenow.create_record
    connection = connection.servicenow.main
    table      = "incident"
    fields = {
      short_description   = "New hire onboarding: ${trigger.event.target[0].displayName}"
      description         = "Okta user ${trigger.event.target[0].displayName} <${trigger.event.target[0].alternateId}> was created; provision laptop and accounts."
      correlation_display = "cardflow"
      correlation_id      = trigger.event.target[0].id
    }
  }
}
