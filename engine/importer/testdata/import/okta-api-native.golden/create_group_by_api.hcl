# Imported from Okta Workflows: the flow "Create Group by API".
flow "create_group_by_api" {
  trigger "flow.called" {
  }

  card "custom_api_action" {
    action      = okta.create_group
    connection  = connection.okta.main
    description = trigger.input.description
    name        = trigger.input.name
  }

  card "return" {
    action = flow.return
    result = {
      id = card.custom_api_action.id
    }
  }
}
