variable "department_groups" {
  type = map(string)
  default = {
    Engineering = "Engineering"
    Sales       = "Sales Team"
  }
}

variable "retry_attempts" {
  type    = number
  default = 4
}

flow "department_sync" {
  enabled = true

  trigger "okta.system_log" {
    connection  = connection.okta.main
    event_types = ["user.account.update_profile"]
    log_filter  = "target.type eq \"User\""
    every       = "2m"
  }

  card "user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.event.target[0].id
  }

  card "join" {
    action     = okta.add_user_to_group
    connection = connection.okta.main
    for_each   = var.department_groups
    if         = "card.user.profile.department == each.key"
    user       = card.user.id
    group      = each.value
    timeout    = "30s"
    on_error   = continue

    retry {
      attempts = var.retry_attempts
      backoff  = "500ms"
    }
  }

  card "leave" {
    action     = okta.remove_user_from_group
    connection = connection.okta.main
    for_each   = { for dept, group in var.department_groups : dept => group if dept != card.user.profile.department }
    user       = card.user.id
    group      = each.value
  }

  card "names" {
    action = list.map
    items  = [for g in card.join : g.group_name]
    expr   = "upper(item)"
  }
}

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
