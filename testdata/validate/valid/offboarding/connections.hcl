connection "okta" "main" {
  org_url           = env("OKTA_ORG_URL")
  token             = env("OKTA_API_TOKEN")
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
  rate_limit        = 10
}

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
  timeout      = "30s"
}

variable "keep_groups" {
  type        = list(string)
  default     = ["Everyone"]
  description = "Groups a departing user stays in."
}

variable "assignment_group" {
  type    = string
  default = "IAM Operations"
}
