# Imported from Okta Workflows: the flow "User Unlocked".
flow "user_unlocked" {
  # Starts flow when a user account is unlocked in Okta.(user.account.unlock)
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.account.unlock"]
  }

  card "return" {
    action = flow.return
    result = {
      user = trigger.event.target[0].id
      at   = trigger.event.published
    }
  }
}
