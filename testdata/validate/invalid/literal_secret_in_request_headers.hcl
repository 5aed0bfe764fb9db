# Credentials written into the headers and query of a request, and into an
# unconverted card's inputs: they reach git, the journal and CI logs.
flow "badge_sync" {
  trigger "schedule.cron" {
    cron = "0 6 * * *"
  }

  card "bearer" {
    action = http.request
    method = "POST"
    url    = "https://badges.example.com/api/sync"
    headers = {
      Content-Type  = "application/json"
      Authorization = "Bearer 0aB1cD2eF3gH4" # ERROR: Literal secret ~ Authorization = "Bearer ${env("API_TOKEN")}"
    }
  }

  card "api_key" {
    action = http.request
    url    = "https://api.example.com/v1/people"
    headers = {
      "X-Api-Key"    = "9d49d5d1c0ffee" # ERROR: Literal secret ~ X-Api-Key = env("X_API_KEY")
      "X-Auth-Token" = "s3cr3t-t0ken"   # ERROR: Literal secret ~ names a credential
      Cookie         = "session=abc123" # ERROR: Literal secret ~ env(
      x-client-secret = "cs_9f8e7d"     # ERROR: Literal secret ~ env(
    }
    query = {
      api_key = "AIzaSyA-123456" # ERROR: Literal secret ~ api_key = env("API_KEY")
      page    = "1"
    }
  }

  card "proxy" {
    action     = servicenow.api_call
    connection = connection.servicenow.main
    path       = "/api/now/table/sys_user"
    headers = {
      Proxy-Authorization = "Basic ${lower("UHJveHk6V2ludGVy")}" # ERROR: Literal secret ~ env(
    }
  }

  # Headers an import found as JSON text.
  card "text_headers" {
    action  = http.request
    url     = "https://api.example.com/v1/people"
    headers = jsondecode("{\"Accept\": \"application/json\", \"Authorization\": \"SSWS 00xYzAbC9\"}") # ERROR: Literal secret ~ Write "headers" as a map
  }

  card "old_import" {
    action   = okta_workflows.unconverted
    original = "darwinbox.updateEmployee \"Update Email ID\"" # ERROR: Invalid argument value
    inputs = {
      api_key_ODNMOB = "9d49d5d1aa52cf46" # ERROR: Literal secret ~ api_key_ODNMOB = env("API_KEY_ODNMOB")
      employee       = "E1"
    }
  }
}

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
}
