# Connections the imported flows use. Every URL and secret comes from the environment: set these variables before `cardflow run`.

connection "okta" "main" {
  org_url           = env("OKTA_ORG_URL")
  token             = env("OKTA_API_TOKEN")
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
}
