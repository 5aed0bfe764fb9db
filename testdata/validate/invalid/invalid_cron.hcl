flow "nightly_report" {
  trigger "schedule.cron" {
    cron = "0 25 * * *" # ERROR: Invalid argument value
  }

  card "stale" {
    action     = servicenow.search_records
    connection = connection.servicenow.main
    table      = "incident"
    query      = "active=true"
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
