# reply is an argument of trigger "http.endpoint" only, with three modes
# and a bounded wait.
flow "nightly" {
  trigger "schedule.cron" {
    cron  = "0 2 * * *"
    reply = "result" # ERROR: Unsupported argument ~ Only trigger "http.endpoint" takes it.
  }

  card "stop" {
    action = flow.return
  }
}

flow "inline_hook" {
  trigger "http.endpoint" {
    token         = env("HR_ENDPOINT_TOKEN")
    reply         = "sync" # ERROR: Invalid argument value ~ "receipt", "result" or "raw"
    reply_timeout = "1m"   # ERROR: Invalid argument value ~ to "25s"
  }

  card "stop" {
    action = flow.return
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
