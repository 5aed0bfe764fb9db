# Imported from Okta Workflows: the flow "Process Resolution".
flow "process_resolution" {
  trigger "http.endpoint" {
    token = env("PROCESS_RESOLUTION_CLIENT_TOKEN")
  }

  card "search_the_request" {
    action = table.search
    table  = table.approvals
    where  = "row[\"userId\"] == ${jsonencode(trigger.body.userId)}"
  }

  card "continue_if_pending" {
    action = flow.return
    if     = "!((len(card.search_the_request.rows) > 0 ? card.search_the_request.rows[0].status : nil) == 'pending')"
    status = "halted"
    reason = "no approval is pending"
  }

  card "add_user_to_group" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    group      = "Employees"
    user       = trigger.body.userId
  }

  card "mark_approved" {
    action = table.put
    table  = table.approvals
    key    = tostring(card.search_the_request.rows[0].userId)
    row = merge(card.search_the_request.rows[0], {
      status = "approved"
    })
  }
}
