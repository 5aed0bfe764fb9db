# A catalog request for app access is created in ServiceNow: assign the app
# in Okta and resolve the request.
flow "app_request" {
  trigger "servicenow.record_created" {
    connection         = connection.servicenow.main
    table              = "sc_req_item"
    query              = "cat_item.name=App Access^active=true"
    fields             = ["sys_id", "number", "u_okta_login", "u_app"]
    ignore_own_updates = true
    every              = "1m"
    filter             = "record.u_app != '' && record.u_okta_login != ''"
  }

  card "users" {
    action     = okta.search_users
    connection = connection.okta.main
    search     = "profile.login eq \"${trigger.record.u_okta_login}\""
  }

  card "assign" {
    action     = okta.assign_user_to_app
    connection = connection.okta.main
    user       = card.users.users[0].id
    app        = trigger.record.u_app
  }

  card "resolve" {
    action     = servicenow.update_record
    connection = connection.servicenow.main
    table      = "sc_req_item"
    sys_id     = trigger.sys_id
    fields = {
      state      = "3"
      work_notes = "Assigned ${card.assign.app_label} (${card.assign.status})."
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
