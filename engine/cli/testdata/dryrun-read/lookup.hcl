# A flow that reads ServiceNow: a dry run serves the read from the emulator.

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
}

flow "lookup" {
  trigger "servicenow.record_created" {
    connection = connection.servicenow.main
    table      = "incident"
    every      = "5m"
  }
  card "approver" {
    action     = servicenow.search_records
    connection = connection.servicenow.main
    table      = "sys_user"
    query      = "user_name=beth.anglin"
  }
}
