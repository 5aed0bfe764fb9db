# Imported from Okta Workflows: the flow "Access Certification Decision".
flow "access_certification_decision" {
  # Starts flow when a decision on the access to a resource is submitted in Okta.(certification.campaign.item.decide)
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["certification.campaign.item.decide"]
  }

  # Okta Workflows runs this once per event of the delivery; cardflow runs the flow once per event, so it is called once, with this execution's event.
  card "for_each_ignore_errors" {
    action = flow.call
    flow   = flow.access_certification_decision_for_each_ignore_errors
    input = {
      "Review Item"   = { "Alternate ID" = trigger.event.target[0].alternateId, "Display Name" = trigger.event.target[0].displayName, ID = trigger.event.target[0].id, Type = trigger.event.target[0].type }
      "Debug Context" = { "Debug Data" = trigger.event.debugContext.debugData }
    }
    on_error = continue
  }
}
