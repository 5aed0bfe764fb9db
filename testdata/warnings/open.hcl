# A valid flow with a warning: ServiceNow would drop the misspelt field.
# The tests of the commands that show warnings (test, run) load it.
flow "open" {
  trigger "schedule.cron" {
    cron = "0 8 * * 1-5"
  }

  card "incident" {
    action     = servicenow.create_record
    connection = connection.servicenow.main
    table      = "incident"
    fields     = { short_descripton = "hello" }
  }
}

connection "servicenow" "main" {
  instance_url = "https://acme.service-now.com"
  username     = "svc"
  password     = env("SN_PASSWORD")
}
