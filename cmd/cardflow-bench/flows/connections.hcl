# The onboarding connections (flows/onboarding/connections.hcl) with one
# change for the benchmark: rate_limit is raised far above the offered load.
# The defaults (okta 10/s, servicenow 20/s) model a real tenant's API limits
# and would make the benchmark measure the limiter, not the engine.

connection "okta" "main" {
  org_url           = env("OKTA_ORG_URL")
  token             = env("OKTA_API_TOKEN")
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
  rate_limit        = 100000
}

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
  rate_limit   = 100000
}
