connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}

connection "okta" "main" { # ERROR: Duplicate connection
  org_url = "https://acme-admin.okta.com"
  token   = env("OKTA_API_TOKEN")
}
