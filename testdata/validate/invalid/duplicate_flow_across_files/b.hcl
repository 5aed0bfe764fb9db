flow "notify" { # ERROR: Duplicate flow
  trigger "flow.called" {}

  card "compose" {
    action = text.compose
    text   = "another flow ${trigger.caller.flow} failed"
  }
}
