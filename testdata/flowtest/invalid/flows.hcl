connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}

variable "groups" {
  type    = list(string)
  default = ["Employees"]
}

table "approvals" {
  columns = { user_id = string, status = string }
  key     = "user_id"
}

flow "grant" {
  trigger "flow.called" {}

  card "add_groups" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    for_each   = var.groups
    user       = trigger.input.user
    group      = each.value
  }

  card "activate" {
    action     = okta.activate_user
    connection = connection.okta.main
    user       = trigger.input.user
  }
}

# A card whose action is misspelt, mocked by a test: validate once
# panicked resolving the mock's target.
flow "misspelt" {
  trigger "flow.called" {}

  card "lookup" {
    action     = okta.read_usr # ERROR: Unknown action
    connection = connection.okta.main
    user       = trigger.input.user
  }
}

# Reaches okta.add_user_to_group and okta.activate_user only through
# helper flows (grant_again calls grant): mocks of them take effect.
# audit is called asynchronously: its read_user is not run by a test.
flow "onboard" {
  trigger "flow.called" {}

  card "grant" {
    action = flow.call
    flow   = flow.grant_again
    input  = { user = trigger.input.user }
  }

  card "audit" {
    action = flow.call
    flow   = flow.audit
    async  = true
    input  = { user = trigger.input.user }
  }
}

flow "grant_again" {
  trigger "flow.called" {}

  card "grant" {
    action = flow.call
    flow   = flow.grant
    input  = { user = trigger.input.user }
  }
}

flow "audit" {
  trigger "flow.called" {}

  card "read" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.input.user
  }
}

# A flow for new users only: runs for other event types test nothing run
# would do.
flow "welcome" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "activate" {
    action     = okta.activate_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }
}
