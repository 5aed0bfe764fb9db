connection "okta" "main" {
  org_url = "acme.okta.com" # ERROR: Invalid argument value
  token   = env("OKTA_API_TOKEN")
}
