# Imported from Okta Workflows: the flow "Notify Channel".
flow "notify_channel" {
  trigger "flow.called" {
  }

  # Not converted from Okta Workflows: cardflow has no slack connector; call its API with http.request (credentials in secret_headers from env()), or drop the card.
  card "send_message" {
    action   = okta_workflows.unconverted
    original = "slack.sendMessageToChannel2 \"Send Message\" with inputs Channel = \"#access\", Text = trigger.input.login"
    inputs = {
      Channel = "#access"
      Text    = trigger.input.login
    }
  }

  # Not converted from Okta Workflows: the function card string.base64Decode has no cardflow equivalent yet; write its result as an HCL expression in the cards that use it, then delete this card.
  card "decode" {
    action   = okta_workflows.unconverted
    original = "string.base64Decode \"Decode\" with inputs string = \"aGk=\""
    inputs = {
      string = "aGk="
    }
  }
}
