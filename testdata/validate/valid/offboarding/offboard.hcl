# A user is deactivated in Okta: remove their groups and apps, record a
# ticket in ServiceNow, and tell a helper flow when anything fails.
flow "offboard_user" {
  description = "Clean up access when a user is deactivated."
  timeout     = "15m"
  concurrency = 4
  on_error    = flow.notify_failure

  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.deactivate", "user.lifecycle.suspend"]
    filter      = "event.target[0].type == 'User'"
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
    timeout    = "20s"
  }

  card "groups" {
    action     = okta.list_user_groups
    connection = connection.okta.main
    user       = card.read_user.id
  }

  card "remove_groups" {
    action      = okta.remove_user_from_group
    connection  = connection.okta.main
    for_each    = { for g in card.groups.groups : g.id => g.name if !contains(var.keep_groups, g.name) }
    concurrency = 3
    user        = card.read_user.id
    group       = each.key
    if          = "each.value != 'Everyone'"

    retry {
      attempts    = 6
      backoff     = "2s"
      max_backoff = "1m"
    }
  }

  card "ticket" {
    action          = servicenow.create_record
    connection      = connection.servicenow.main
    table           = "sc_task"
    idempotency_key = "offboard-${card.read_user.id}"
    on_error        = continue
    fields = {
      short_description = "Offboarded ${card.read_user.login}"
      assignment_group  = var.assignment_group
      description       = "Removed ${length(card.remove_groups)} groups."
    }
  }

  card "note_failure" {
    action     = servicenow.add_work_note
    connection = connection.servicenow.main
    if         = "card.ticket.error != nil"
    table      = "sc_task"
    number     = card.ticket.number
    note       = "Ticket creation failed: ${coalesce(card.ticket.error.message, "unknown")}"
  }
}

flow "notify_failure" {
  description = "Called with the failure of another flow."

  trigger "flow.called" {}

  card "compose" {
    action = text.compose
    text   = "cardflow flow ${trigger.caller.flow} failed (execution ${trigger.caller.execution_id})."
  }

  card "slack" {
    action = http.request
    method = "POST"
    url    = env("SLACK_WEBHOOK_URL")
    body   = { text = card.compose.text }
  }
}
