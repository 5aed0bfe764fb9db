variable "groups" {
  type    = list(string)
  default = ["Employees"]
}

variable "groups" { # ERROR: Duplicate variable
  type    = list(string)
  default = ["VPN Users"]
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
