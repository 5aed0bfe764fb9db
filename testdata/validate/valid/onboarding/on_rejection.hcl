flow "on_rejection" {
  description = "The business owner canceled an incident cardflow opened: deactivate the user and record the rejection."

  trigger "servicenow.record_updated" {
    connection = connection.servicenow.main
    table      = "incident"
    query      = "correlation_display=cardflow^state=8"
    every      = var.poll_interval
    filter     = "record.state == '8'"
  }

  card "approval" {
    action = table.get
    table  = table.approvals
    key    = trigger.record.correlation_id
  }

  card "not_waiting" {
    action = flow.return
    if     = "!card.approval.found || card.approval.row.status != 'pending'"
    status = "halted"
    reason = "no approval is pending for this incident"
  }

  card "deactivate" {
    action     = okta.deactivate_user
    connection = connection.okta.main
    user       = trigger.record.correlation_id
  }

  card "note" {
    action     = servicenow.add_work_note
    connection = connection.servicenow.main
    table      = "incident"
    sys_id     = trigger.record.sys_id
    note       = "Rejected by ${trigger.record.sys_updated_by}: cardflow deactivated Okta user ${card.approval.row.login}."
  }

  card "rejected" {
    action = table.put
    table  = table.approvals
    key    = trigger.record.correlation_id
    row    = merge(card.approval.row, { status = "rejected" })
  }
}
