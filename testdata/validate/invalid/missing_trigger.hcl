flow "read_new_user" { # ERROR: Missing trigger
  card "read_user" {
    action     = okta.read_user
    connection = connection.okta.main
    user       = "00u1abcd"
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
