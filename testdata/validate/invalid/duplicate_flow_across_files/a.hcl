flow "notify" {
  trigger "flow.called" {}

  card "compose" {
    action = text.compose
    text   = "flow ${trigger.caller.flow} failed"
  }
}
