flow "notify" {
  trigger "flow.called" {}

  card "post" {
    action = http.request
    method = "POST"
    url    = env("TEAMS_WEBHOOK_URL") # ERROR: Environment variable not set ~ (also read on ../testdata/validate/invalid/env_not_set.hcl:14:14) is not set
    body   = { text = "flow ${trigger.caller.flow} failed" }
  }

  card "post_again" {
    action = http.request
    method = "POST"
    url    = env("TEAMS_WEBHOOK_URL")
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
