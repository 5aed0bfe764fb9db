# The variables and the table of flows/onboarding/variables.hcl that
# request_approval uses (the approval pollers are left out of the benchmark).

variable "groups" {
  type    = list(string)
  default = ["Employees", "VPN Users"]
}

variable "apps" {
  type    = list(string)
  default = ["Slack", "Zoom"]
}

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
