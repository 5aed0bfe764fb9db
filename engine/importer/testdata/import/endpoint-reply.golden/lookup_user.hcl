# Imported from Okta Workflows: the flow "Lookup User".
flow "lookup_user" {
  trigger "http.endpoint" {
    token = env("LOOKUP_USER_CLIENT_TOKEN")
    reply = "result"
  }

  card "return" {
    action = flow.return
    result = {
      id    = trigger.body.id
      found = true
    }
  }
}
