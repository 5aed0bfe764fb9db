# The HR system posts title changes; cardflow updates the Okta profile.
flow "hr_title_change" {
  trigger "http.endpoint" {
    token  = env("HR_ENDPOINT_TOKEN")
    filter = "method == 'POST'"
  }

  card "payload" {
    action = json.parse
    text   = jsonencode(trigger.body)
  }

  card "users" {
    action     = okta.search_users
    connection = connection.okta.main
    search     = "profile.employeeNumber eq \"${card.payload.value.employee_number}\""
    limit      = 2
  }

  card "unique" {
    action = flow.return
    if     = "card.users.count != 1"
    status = "halted"
    reason = "no unique user for this employee number"
  }

  card "update" {
    action     = okta.update_user_profile
    connection = connection.okta.main
    user       = card.users.users[0].id
    profile    = { title = card.payload.value.title }
  }

  card "reply" {
    action = flow.return
    result = { updated = card.update.login }
  }
}

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
