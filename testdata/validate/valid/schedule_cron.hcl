# Every weekday morning: find stale onboarding incidents and remind the
# assignment group.
flow "stale_approvals" {
  trigger "schedule.cron" {
    cron     = "0 8 * * 1-5"
    timezone = "Europe/Berlin"
  }

  card "stale" {
    action     = servicenow.search_records
    connection = connection.servicenow.main
    table      = "incident"
    query      = "correlation_display=cardflow^state=2^sys_updated_on<javascript:gs.daysAgoStart(3)"
    fields     = ["sys_id", "number", "short_description"]
    limit      = 100
  }

  card "nothing" {
    action = flow.return
    if     = "card.stale.count == 0"
    status = "halted"
    reason = "no stale approvals"
  }

  card "remind" {
    action     = servicenow.add_work_note
    connection = connection.servicenow.main
    for_each   = { for r in card.stale.records : r.sys_id => r.number }
    table      = "incident"
    sys_id     = each.key
    note       = "Reminder: ${each.value} has waited three days for approval."
  }

  card "pending" {
    action = table.search
    table  = table.approvals
    where  = "row.status == 'pending'"
    limit  = 500
  }

  card "summary" {
    action = text.compose
    text   = "${card.stale.count} stale incidents, ${card.pending.count} pending approvals."
  }
}

table "approvals" {
  columns = {
    user_id = string
    status  = string
  }
  key = "user_id"
}

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
}
