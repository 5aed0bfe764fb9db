variable "okta_token" {
  type      = string
  sensitive = true
  default   = "00QCjAl4MlV-WPXM-ABCDEFGHIJKL" # ERROR: Literal secret ~ CARDFLOW_VAR_okta_token
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
