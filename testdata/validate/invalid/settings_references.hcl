variable "poll_interval" {
  type    = string
  default = "5m"
}

flow "provision_on_approval" {
  timeout = var.flow_timeout # ERROR: Unknown variable

  trigger "servicenow.record_updated" {
    connection = connection.servicenow.main
    table      = "incident"
    every      = var.pol_interval # ERROR: Unknown variable ~ Did you mean "poll_interval"?
  }

  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.record.correlation_id
    timeout    = trigger.record.u_timeout # ERROR: Invalid reference

    retry {
      backoff = card.read_user.activated # ERROR: Invalid reference
    }
  }
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
