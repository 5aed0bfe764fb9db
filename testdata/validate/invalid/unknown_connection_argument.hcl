connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  tokn    = env("OKTA_API_TOKEN") # ERROR: Unsupported argument ~ Did you mean "token"?
}

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
}
