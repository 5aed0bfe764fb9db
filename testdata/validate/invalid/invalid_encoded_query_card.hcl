flow "stale" {
  trigger "schedule.cron" {
    cron = "0 8 * * 1-5"
  }

  card "search" {
    action     = servicenow.search_records
    connection = connection.servicenow.main
    table      = "incident"
    query      = "=new^active=true" # ERROR: Invalid argument value
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
