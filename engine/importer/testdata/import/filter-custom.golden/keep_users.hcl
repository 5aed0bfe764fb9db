# Imported from Okta Workflows: the flow "Keep Users".
flow "keep_users" {
  trigger "flow.called" {
  }

  card "filter_custom" {
    action   = flow.call
    flow     = flow.keep_this_user
    for_each = { for i, x in trigger.input.users : tostring(i) => x }
    input = {
      user    = each.value
      minimum = 2
    }
  }

  card "return" {
    action = flow.return
    result = {
      kept = [for i, x in trigger.input.users : x if card.filter_custom[tostring(i)].result.valid]
    }
  }
}
