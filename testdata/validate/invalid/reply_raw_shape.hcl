# With reply = "raw" the flow's result is the answer itself: { status,
# headers, body }. What the result's type or its literal parts show the
# server would refuse (answering the caller 500) is an error.
flow "raw_literals" {
  trigger "http.endpoint" {
    token = env("HR_ENDPOINT_TOKEN")
    reply = "raw"
  }

  card "misspelt" {
    action = flow.return
    if     = "trigger.method == 'GET'"
    result = {
      statusCode = 200 # ERROR: Invalid raw reply ~ Did you mean "status"?
      body       = "ok"
    }
  }

  card "out_of_range" {
    action = flow.return
    if     = "trigger.method == 'PUT'"
    result = {
      status  = 700 # ERROR: Invalid raw reply ~ The status 700 is not an HTTP status from 200 to 599.
      headers = { "X-Note" = "line\nbreak" } # ERROR: Invalid raw reply ~ the value of X-Note has a line break
      body    = "no"
    }
  }

  card "bad_header_name" {
    action = flow.return
    if     = "trigger.method == 'DELETE'"
    result = {
      headers = { "Bad Header" = "x" } # ERROR: Invalid raw reply ~ "Bad Header" is not a header name
    }
  }

  card "not_an_object" {
    action = flow.return
    result = "accepted" # ERROR: Invalid raw reply ~ not a string
  }
}

# Parts known only when the flow runs are checked by their type.
flow "raw_types" {
  trigger "http.endpoint" {
    token = env("HR_ENDPOINT_TOKEN")
    reply = "raw"
  }

  card "user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = trigger.query.user
  }

  card "answer" {
    action = flow.return
    result = {
      status  = card.user.profile.login != "" # ERROR: Invalid raw reply ~ not a bool
      headers = card.user.profile.login # ERROR: Invalid raw reply ~ not a string
      body    = card.user.profile
    }
  }
}

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
