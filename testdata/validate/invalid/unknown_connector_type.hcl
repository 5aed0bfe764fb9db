connection "otka" "main" { # ERROR: Unknown connector type ~ Did you mean "okta"?
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
