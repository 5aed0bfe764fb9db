# Imported from Okta Workflows: the flow "Create Group from JSON".
flow "create_group_from_json" {
  trigger "flow.called" {
  }

  card "custom_api_action" {
    action      = okta.create_group
    connection  = connection.okta.main
    description = "Licensed users"
    name        = trigger.input.name
  }

  card "return" {
    action = flow.return
    result = {
      code = 200
    }
  }
}
