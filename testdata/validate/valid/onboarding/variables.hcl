variable "groups" {
  type        = list(string)
  default     = ["Employees", "VPN Users"]
  description = "Okta groups (exact names) a user joins once the business owner approves."
}

variable "apps" {
  type        = list(string)
  default     = ["Slack", "Zoom"]
  description = "Okta apps (labels) assigned once the business owner approves."
}

variable "poll_interval" {
  type        = string
  default     = "5m"
  description = "How often ServiceNow is polled for resolved and canceled incidents."
}

variable "close_code" {
  type        = string
  default     = "Solution provided"
  description = "The close code (resolution code) cardflow closes approved incidents with; it must be in the instance's choice list."
}

# One row per user waiting for, or granted, approval: it links the Okta user
# to the ServiceNow incident, and tells the approval flows which incidents
# cardflow opened.
table "approvals" {
  columns = {
    user_id  = string
    login    = string
    incident = string
    sys_id   = string
    status   = string
  }
  key = "user_id"
}
