# sensitive names fields of an endpoint's body as dot-separated member
# names; a path through a list applies to every element, so there are no
# indexes. Each malformed path is reported on its own element.
flow "password_import" {
  trigger "http.endpoint" {
    token = env("HR_ENDPOINT_TOKEN")
    reply = "result"
    sensitive = [
      "data.context.credential.password",
      "data..password",                # ERROR: Invalid argument value ~ empty member name
      "data.users[0].password",        # ERROR: Invalid argument value ~ a path through a list applies to every element
      "trigger.body.data.password",    # ERROR: Invalid argument value ~ a path is into the body
      ".password",                     # ERROR: Invalid argument value ~ without a dot at either end
      "data.context.credential.password", # ERROR: Invalid argument value ~ listed twice
      "",                              # ERROR: Invalid argument value ~ member names separated by dots
    ]
  }

  card "answer" {
    action = flow.return
    result = { commands = [] }
  }
}

flow "not_a_list" {
  trigger "http.endpoint" {
    token     = env("HR_ENDPOINT_TOKEN")
    sensitive = "data.password" # ERROR: Incorrect argument type
  }

  card "answer" {
    action = flow.return
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
