flow "provision" {
  trigger "flow.called" {}

  card "groups" {
    action = flow.call
    flow   = flow.groups
  }
}

flow "groups" {
  trigger "flow.called" {}

  card "apps" {
    action = flow.call
    flow   = flow.apps
  }
}

flow "apps" {
  trigger "flow.called" {}

  card "audit" {
    action = flow.call
    flow   = flow.provision # ERROR: Dependency cycle
    input  = { reason = "apps assigned" }
  }

  card "async_is_fine" {
    action = flow.call
    flow   = flow.provision
    async  = true
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
