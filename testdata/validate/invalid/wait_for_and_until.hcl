flow "end_contract" {
  trigger "flow.called" {}

  card "until_end_date" {
    action = flow.wait
    for    = "72h"
    until  = trigger.input.end_date # ERROR: Conflicting wait arguments
  }
}
