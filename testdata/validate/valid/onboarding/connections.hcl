# A frozen copy of flows/onboarding: the golden outputs of engine/cli/validate_test.go
# are made from it and must not change whenever the example flows do.

# Connections of the onboarding flows. Every URL and secret comes from the
# environment: nothing sensitive lives in these files.

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")

  # Okta sends the event hook's secret in the Authorization header (its
  # default); set the same value when you create the hook in the Admin Console.
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
}

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
}
