# Imported from Okta Workflows: the flow "Assign App by API".
flow "assign_app_by_api" {
  trigger "flow.called" {
  }

  card "custom_api_action" {
    action     = okta.assign_user_to_app
    connection = connection.okta.main
    app        = trigger.input.appId
    user       = trigger.input.userId
  }

  card "custom_api_action_group_scope" {
    action     = okta.api_call
    connection = connection.okta.main
    method     = "POST"
    path       = "/api/v1/apps/${trigger.input.appId}/users"
    body = {
      id    = trigger.input.userId
      scope = "GROUP"
    }
  }

  card "return" {
    action = flow.return
    result = {
      scope = "USER"
    }
  }
}
