# Imported from Okta Workflows: the flow "Find Name".
flow "find_name" {
  trigger "flow.called" {
  }

  card "return" {
    action = flow.return
    result = {
      item  = element([for x in trigger.input.names : x if x == "Ola"], 0)
      index = element([for i, x in trigger.input.names : i if x == "Ola"], 0)
    }
  }
}
