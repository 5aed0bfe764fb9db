flow "end_contract" {
  trigger "flow.called" {}

  card "until_end_date" {
    action = flow.wait # ERROR: Missing wait time
  }
}
