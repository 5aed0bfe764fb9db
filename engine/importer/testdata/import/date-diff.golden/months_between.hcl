# Imported from Okta Workflows: the flow "Months Between".
flow "months_between" {
  trigger "flow.called" {
  }

  # Not converted from Okta Workflows: the function card date.diff has no cardflow equivalent yet; write its result as an HCL expression in the cards that use it, then delete this card.
  # Its months are read, which count calendar months: cardflow's timediff() gives the seconds between two times, from which days, hours and minutes follow.
  card "difference" {
    action   = okta_workflows.unconverted
    original = "date.diff \"Difference\" with inputs start = trigger.input.start, end = trigger.input.end"
    inputs = {
      start = trigger.input.start
      end   = trigger.input.end
    }
  }

  card "return" {
    action = flow.return
    result = {
      months = card.difference.months
    }
  }
}
