# Imported from Okta Workflows: the flow "Registration Hook".
flow "registration_hook" {
  trigger "http.endpoint" {
    token = env("REGISTRATION_HOOK_CLIENT_TOKEN")
    reply = "raw"
  }

  card "return_raw" {
    action = flow.return
    result = {
      status = 403
      headers = {
        X-Reason = "blocked"
      }
      body = trigger.body.login
    }
  }
}
