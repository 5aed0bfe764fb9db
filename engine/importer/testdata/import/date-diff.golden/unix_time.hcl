# Imported from Okta Workflows: the flow "Unix Time".
flow "unix_time" {
  trigger "flow.called" {
  }

  card "return" {
    action = flow.return
    result = {
      unix  = floor(timediff("1970-01-01T00:00:00Z", trigger.input.at) * 1000 + 0.5)
      epoch = floor(timediff("1970-01-01T00:00:00Z", trigger.input.at))
    }
  }
}
