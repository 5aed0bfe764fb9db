flow "provision_on_approval" {
  description = "The business owner resolved an incident cardflow opened: grant the access, then close the incident."

  # Updates by cardflow's own service account are ignored (ignore_own_updates
  # defaults to true), so only the approver's resolution starts this flow.
  trigger "servicenow.record_updated" {
    connection = connection.servicenow.main
    table      = "incident"
    query      = "correlation_display=cardflow^state=6"
    every      = var.poll_interval
    filter     = "record.state == '6' && record.correlation_id != ''"
  }

  card "approval" {
    action = table.get
    table  = table.approvals
    key    = trigger.record.correlation_id
  }

  # Incidents cardflow did not open, or already handled, end here.
  card "not_waiting" {
    action = flow.return
    if     = "!card.approval.found || card.approval.row.status != 'pending'"
    status = "halted"
    reason = "no approval is pending for this incident"
  }

  card "add_groups" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    for_each   = var.groups
    user       = trigger.record.correlation_id
    group      = each.value
  }

  # A new hire has no password: activation leaves them PROVISIONED, and
  # Okta emails them a link to set one, which makes them ACTIVE. That part
  # is theirs, not cardflow's. activate_user reads the user first and
  # leaves an ACTIVE user, or a PROVISIONED one (activated already; Okta
  # refuses to activate it again), as they are, with changed = false: a
  # retried or replayed execution activates no one twice. Its status says
  # where the user is.
  card "activate" {
    action     = okta.activate_user
    connection = connection.okta.main
    user       = trigger.record.correlation_id
    send_email = true
  }

  card "assign_apps" {
    action     = okta.assign_user_to_app
    connection = connection.okta.main
    for_each   = var.apps
    user       = trigger.record.correlation_id
    app        = each.value
  }

  card "close" {
    action      = servicenow.close_incident
    connection  = connection.servicenow.main
    sys_id      = trigger.record.sys_id
    close_code  = var.close_code
    close_notes = "Approved by ${trigger.record.sys_updated_by}. cardflow granted: groups ${join(", ", var.groups)}; apps ${join(", ", var.apps)}; account ${card.activate.changed ? "activated" : "already activated"} (status ${card.activate.status}${card.activate.status == "PROVISIONED" ? " until the user sets a password from Okta's activation email" : ""})."
  }

  card "done" {
    action = table.put
    table  = table.approvals
    key    = trigger.record.correlation_id
    row    = merge(card.approval.row, { status = "approved" })
  }
}
