# Imported from Okta Workflows: the flow "Device Event".
flow "device_event" {
  # The Okta Workflows flow has no trigger card: it runs when another flow calls it.
  trigger "flow.called" {
  }

  # Not converted from Okta Workflows: the Okta event card "deviceRiskChanged" does not say which event type starts it; look the card up in Okta's event types, then replace this card by a trigger "okta.event_hook" block with that type in event_types (and read the event as trigger.event).
  card "device_risk_changed" {
    action   = okta_workflows.unconverted
    original = "okta.deviceRiskChanged \"Device Risk Changed\" with inputs type = \"invoke\""
    inputs = {
      type = "invoke"
    }
  }

  card "return" {
    action = flow.return
    result = {
      user = card.device_risk_changed.ID
    }
  }
}
