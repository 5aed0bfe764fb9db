# Imported from Okta Workflows: the flow "Read User by API".
flow "read_user_by_api" {
  trigger "flow.called" {
  }

  card "custom_api_action" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.input.userId
  }

  card "return" {
    action = flow.return
    result = {
      login  = card.custom_api_action.profile.login
      status = card.custom_api_action.status
      code   = 200
    }
  }
}
