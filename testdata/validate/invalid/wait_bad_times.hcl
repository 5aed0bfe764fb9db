flow "end_contract" {
  trigger "flow.called" {}

  card "a_while" {
    action = flow.wait
    for    = "soon" # ERROR: Invalid argument value
  }

  card "backwards" {
    action = flow.wait
    for    = "-5m" # ERROR: Invalid argument value
  }

  card "new_year" {
    action = flow.wait
    until  = "31/12/2026 17:00" # ERROR: Invalid argument value
  }
}
