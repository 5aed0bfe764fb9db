# Imported from Okta Workflows: the flow "Time Between".
flow "time_between" {
  trigger "flow.called" {
  }

  card "return" {
    action = flow.return
    result = {
      days         = timediff(trigger.input.start, trigger.input.end) / 86400
      hours        = timediff(trigger.input.start, trigger.input.end) / 3600
      minutes      = timediff(trigger.input.start, trigger.input.end) / 60
      seconds      = (timediff(trigger.input.start, trigger.input.end) < 0 ? ceil(timediff(trigger.input.start, trigger.input.end)) : floor(timediff(trigger.input.start, trigger.input.end)))
      milliseconds = floor(timediff(trigger.input.start, trigger.input.end) * 1000 + 0.5)
    }
  }
}
