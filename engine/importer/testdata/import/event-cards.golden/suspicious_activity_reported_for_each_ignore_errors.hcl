# Imported from Okta Workflows: a part of the flow "Suspicious Activity Reported", cut out as a helper flow.
flow "suspicious_activity_reported_for_each_ignore_errors" {
  trigger "flow.called" {
  }

  card "clear_user_sessions" {
    action       = okta.clear_user_sessions
    connection   = connection.okta.main
    user         = trigger.input["User ID"]
    oauth_tokens = false
  }

  card "return" {
    action = flow.return
    result = {
      name    = trigger.input.Name
      email   = trigger.input.Email
      details = trigger.input["Event Details"]
    }
  }
}
