# A contractor is deactivated at their end date: the flow waits until then
# (parked in the store, holding no worker), and a reminder goes out a day
# after the account was created.
flow "contractor_end_date" {
  trigger "flow.called" {}

  card "until_end_date" {
    action = flow.wait
    until  = trigger.input.end_date
  }

  card "grace" {
    action = flow.wait
    for    = "1d"
  }

  card "deactivate" {
    action     = okta.deactivate_user
    connection = connection.okta.main
    user       = trigger.input.user_id
  }
}

connection "okta" "main" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}
