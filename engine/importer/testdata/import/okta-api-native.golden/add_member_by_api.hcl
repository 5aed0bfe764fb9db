# Imported from Okta Workflows: the flow "Add Member by API".
flow "add_member_by_api" {
  trigger "flow.called" {
  }

  card "custom_api_action" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    group      = trigger.input.groupId
    user       = trigger.input.userId
  }

  card "custom_api_action_remove" {
    action     = okta.remove_user_from_group
    connection = connection.okta.main
    group      = trigger.input.groupId
    user       = trigger.input.userId
  }

  card "return" {
    action = flow.return
    result = {
      added   = 204
      removed = 204
    }
  }
}
