# Imported from Okta Workflows: the flow "Hook Delivery Failed".
flow "hook_delivery_failed" {
  # The Okta Workflows flow has no trigger card: it runs when another flow calls it.
  trigger "flow.called" {
  }

  # Not converted from Okta Workflows: the Okta event card "eventHookDeliveryFailed" starts the flow on event_hook.delivery, which okta.event_hook does not take: "event_hook.delivery" is not eligible for event hooks; poll it with the okta.system_log trigger. Replace this card by a trigger "okta.system_log" block with event_types = ["event_hook.delivery"], which polls the System Log for it, and read the event as trigger.event.
  card "event_hook_delivery_failed" {
    action   = okta_workflows.unconverted
    original = "okta.eventHookDeliveryFailed \"Event Hook Delivery Failed\" with inputs type = \"invoke\""
    inputs = {
      type = "invoke"
    }
  }

  card "return" {
    action = flow.return
    result = {
      user = card.event_hook_delivery_failed.ID
    }
  }
}
