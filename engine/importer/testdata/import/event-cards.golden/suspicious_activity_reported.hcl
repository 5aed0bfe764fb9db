# Imported from Okta Workflows: the flow "Suspicious Activity Reported".
flow "suspicious_activity_reported" {
  # Starts flow when a user reports suspicious activity in their account.(user.account.report_suspicious_activity_by_enduser)
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.account.report_suspicious_activity_by_enduser"]
  }

  # Okta Workflows runs this once per event of the delivery; cardflow runs the flow once per event, so it is called once, with this execution's event.
  card "for_each_ignore_errors" {
    action = flow.call
    flow   = flow.suspicious_activity_reported_for_each_ignore_errors
    input = {
      Name            = trigger.event.actor.displayName
      Email           = trigger.event.actor.alternateId
      "User ID"       = trigger.event.actor.id
      "Event Details" = trigger.event
    }
    on_error = continue
  }
}
