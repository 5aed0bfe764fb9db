# Imported from Okta Workflows: the flow "Keep This User".
flow "keep_this_user" {
  trigger "flow.called" {
  }

  card "return" {
    action = flow.return
    result = {
      valid = trigger.input.user.keep
    }
  }
}
