# A raw reply's result: status a number or a numeric string (null is 200),
# headers a map of strings, numbers or booleans, body anything; parts known
# only when the flow runs are taken when their type may be right.
flow "raw_answer" {
  trigger "http.endpoint" {
    token         = env("HR_ENDPOINT_TOKEN")
    reply         = "raw"
    reply_timeout = "2500ms"
  }

  card "user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.query.user
    on_error   = continue
  }

  card "not_found" {
    action = flow.return
    if     = "card.user.error != nil"
    result = {
      status  = "404"
      headers = { "Content-Type" = "application/problem+json", "Retry-After" = 30, "X-Cached" = false }
      body    = { title = "no such user" }
    }
  }

  card "answer" {
    action = flow.return
    result = {
      status  = card.user.status == "ACTIVE" ? 200 : 409
      headers = { "X-User" = card.user.id, "X-Optional" = null }
      body    = "${card.user.profile.login}\n"
    }
  }
}

# A result reply takes any result.
flow "result_answer" {
  trigger "http.endpoint" {
    token = env("HR_ENDPOINT_TOKEN")
    reply = "result"
  }

  card "answer" {
    action = flow.return
    result = "accepted"
  }
}

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
