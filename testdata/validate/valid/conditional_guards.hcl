# A conditional's results are checked for mistakes of type, never against
# today's values: a result the condition guards (an empty list, a null)
# is not an error.
variable "groups" {
  type    = list(string)
  default = []
}

variable "manager" {
  type    = string
  default = null
}

flow "conditional_guards" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
    on_error   = continue
  }

  card "summary" {
    action = text.compose
    text   = <<-EOT
      ${card.read_user.error != null ? card.read_user.error.message : card.read_user.profile.login}
      ${length(var.groups) > 0 ? var.groups[0] : "no group"}
      ${var.manager != null ? upper(var.manager) : "no manager"}
      ${length(var.groups) > 0 && var.groups[0] == "Employees" ? "employee" : "other"}
      ${join(",", [for g in var.groups : trigger.event.uuid != "" ? g : upper(g)])}
    EOT
  }
}

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
