# Flows with deliberate bugs: every run in this directory must fail, with
# exactly the diagnostics whose summaries are marked on their lines.

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}

variable "groups" {
  type    = list(string)
  default = ["Employees", "VPN Users"]
}

# Broken: the slice drops every group but the first.
flow "grant" {
  trigger "flow.called" {}

  card "add_groups" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    for_each   = slice(var.groups, 0, 1)
    user       = trigger.input.user
    group      = each.value
  }

  card "activate" {
    action     = okta.activate_user
    connection = connection.okta.main
    if         = "trigger.input.status != 'ACTIVE'"
    user       = trigger.input.user
  }
}
