# Helper flows: one flow calls another synchronously and uses its result,
# and a second call is fire-and-forget.
flow "new_hire" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "department_groups" {
    action = flow.call
    flow   = flow.groups_for_department
    input  = { user_id = trigger.event.target[0].id }
  }

  card "add" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    for_each   = toset(card.department_groups.result.groups)
    user       = trigger.event.target[0].id
    group      = each.value
  }

  card "audit" {
    action = flow.call
    flow   = flow.audit
    async  = true
    input  = { user_id = trigger.event.target[0].id, groups = card.department_groups.result.groups }
  }
}

flow "groups_for_department" {
  trigger "flow.called" {}

  card "user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.input.user_id
  }

  card "engineering" {
    action = flow.return
    if     = "card.user.profile.department == 'Engineering'"
    result = { groups = ["Engineering", "GitHub Users"] }
  }

  card "default" {
    action = flow.return
    result = { groups = ["Employees"] }
  }
}

flow "audit" {
  trigger "flow.called" {}

  card "log" {
    action = table.put
    table  = table.audit_log
    key    = trigger.input.user_id
    row    = { user_id = trigger.input.user_id, groups = join(",", trigger.input.groups) }
  }
}

table "audit_log" {
  columns = {
    user_id = string
    groups  = string
  }
  key = "user_id"
}

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
