# Imported from Okta Workflows: the flow "Read Cost Center by API".
flow "read_cost_center_by_api" {
  trigger "flow.called" {
  }

  card "custom_api_action" {
    action     = okta.api_call
    connection = connection.okta.main
    method     = "GET"
    path       = "/api/v1/users/${trigger.input.userId}"
  }

  card "return" {
    action = flow.return
    result = {
      cc = card.custom_api_action.body.profile.costCenterCode
    }
  }
}
