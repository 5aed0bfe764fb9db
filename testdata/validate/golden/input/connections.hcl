connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = "00QCjAl4MlV-WPXM-ABCDEFGHIJKL"
}

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
}
