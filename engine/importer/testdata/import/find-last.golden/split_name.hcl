# Imported from Okta Workflows: the flow "Split Name".
flow "split_name" {
  trigger "flow.called" {
  }

  card "return" {
    action = flow.return
    result = {
      space     = (length(regexall("(?s)^(.*) ", trigger.input.name)) > 0 ? length(split("", regex("(?s)^(.*) ", trigger.input.name)[0])) : -1)
      backslash = (length(regexall("(?s)^(.*)\\\\", trigger.input.name)) > 0 ? length(split("", regex("(?s)^(.*)\\\\", trigger.input.name)[0])) : -1)
      length    = length(split("", trigger.input.name))
    }
  }
}
