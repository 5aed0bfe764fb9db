table "approvals" {
  columns = { user_id = string, status = string }
  key     = "user_id"
}

flow "pending" {
  trigger "schedule.cron" {
    cron = "0 8 * * 1-5"
  }

  card "pending" {
    action = table.search
    table  = table.approvals
    where  = "row.stauts == 'pending'" # ERROR: Unknown field in condition ~ Did you mean "status"?
  }
}

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
}
